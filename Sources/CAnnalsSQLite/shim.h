#ifndef CANNALS_SQLITE_SHIM_H
#define CANNALS_SQLITE_SHIM_H
#include <sqlite3.h>

/// Turns off SQLite's process-wide allocation statistics. With them on (Debian's default), every allocation
/// of every connection takes one global mutex, so the store's writer, its search indexer and its readers
/// queue behind each other on it. Must run before SQLite initializes (the first open); `sqlite3_config` is
/// variadic, which Swift cannot call. Returns SQLITE_OK, or SQLITE_MISUSE once SQLite is initialized.
static inline int annals_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
