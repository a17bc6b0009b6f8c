#ifndef CANNALS_MALLOC_SHIM_H
#define CANNALS_MALLOC_SHIM_H
/// glibc's malloc extensions (malloc_trim), which Swift's Glibc module does not export.
#include <malloc.h>
#endif
