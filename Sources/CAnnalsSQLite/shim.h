#ifndef CANNALS_SQLITE_SHIM_H
#define CANNALS_SQLITE_SHIM_H
#include <sqlite3.h>
#endif
