//! A synthetic V8 heap for unit tests (being written).
