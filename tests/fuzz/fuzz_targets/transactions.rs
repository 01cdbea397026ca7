//! Reading a transaction log and calibrating from it never panic, whatever the bytes.
#![no_main]

#[allow(dead_code)] // each target uses one of the shared exercises
#[path = "../exercise.rs"]
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    exercise::transactions(data);
});
