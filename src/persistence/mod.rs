//! Persistence (Redis rdb.c, rio.c, childinfo.c and the fork parts of
//! server.c): the RDB format, saving through a forked child, loading at
//! startup, DUMP/RESTORE. `child` is the only place that forks.

pub mod rdb;
pub mod rio;
