//! Memory figures of this process for the `*_memory` examples (Linux only).

/// A `kB` field of `/proc/self/status` (`"VmHWM:"`: peak resident set; `"VmRSS:"`: now),
/// in KiB; 0 where the file or the field is missing (not Linux).
pub fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
