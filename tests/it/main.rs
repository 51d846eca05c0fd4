//! The one integration test binary. Each file is an area; `support` starts
//! real `ferrodis-server` (and `redis-server` for differential tests) processes.

mod support;

mod aof;
mod bitmaps;
mod blocking;
mod cli;
mod coll_events;
mod coll_random;
mod command;
mod config;
mod config_files;
mod connection;
mod core;
mod debug_structs;
mod encodings;
mod fuzz_regressions;
mod geo;
mod geo_effects;
mod geo_random;
mod hashes;
mod hll;
mod introspection;
mod io_counters;
mod keyspace;
mod keyspace_model;
mod lists;
mod memory_usage;
mod multi;
mod protected_cmds;
mod protocol;
mod pubsub;
mod rdb;
mod rdb_format;
mod robustness;
mod sets;
mod slowlog_redact;
mod sort;
mod strings;
mod tracking;
mod zset_blocking;
mod zsets;
