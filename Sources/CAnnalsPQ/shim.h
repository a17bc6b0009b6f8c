#ifndef CANNALS_PQ_SHIM_H
#define CANNALS_PQ_SHIM_H
#include <libpq-fe.h>
#endif
