#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| toolmemo_fuzz::targets::stored_entry(data));
