//! Merging the parts of a sharded run never panics and never accepts a part that does not
//! match its seal, whatever the parts hold.
#![no_main]

#[allow(dead_code)] // each target uses one of the shared exercises
#[path = "../exercise.rs"]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    exercise::merge(data);
});
