//! The kernel's per-user key quota as `/proc/key-users` reports it: what the keyutils store
//! says when it is full, and what `doctor` shows. Pure: the file's text is passed in.

/// One uid's line of `/proc/key-users`:
/// `  1001:    18 18/17 17/200 19663/20000` = `uid: usage nkeys/nikeys qnkeys/maxkeys qnbytes/maxbytes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsage {
    pub keys: u64,
    pub max_keys: u64,
    pub bytes: u64,
    pub max_bytes: u64,
}

/// The line of `uid` in `/proc/key-users`; `None` when it has none (no keys) or it does
/// not parse.
pub fn parse(key_users: &str, uid: u32) -> Option<KeyUsage> {
    key_users.lines().find_map(|line| {
        let (id, rest) = line.trim().split_once(':')?;
        if id.trim().parse::<u32>().ok()? != uid {
            return None;
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let pair = |i: usize| -> Option<(u64, u64)> {
            let (a, b) = fields.get(i)?.split_once('/')?;
            Some((a.parse().ok()?, b.parse().ok()?))
        };
        let (keys, max_keys) = pair(2)?;
        let (bytes, max_bytes) = pair(3)?;
        Some(KeyUsage {
            keys,
            max_keys,
            bytes,
            max_bytes,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const USERS: &str = "    0:   134 133/133 126/1000000 107770/25000000\n 1001:    18 18/17 17/200 19663/20000\n 1002:     1 1/1 1/200 9/20000\n";

    #[test]
    fn key_users_lines() {
        let table = [
            (USERS, 1001, Some((17, 200, 19663, 20000))),
            (USERS, 0, Some((126, 1_000_000, 107_770, 25_000_000))),
            (USERS, 1002, Some((1, 200, 9, 20000))),
            (USERS, 42, None),
            ("", 1001, None),
            (" 1001: 18 18/17 garbage 19663/20000\n", 1001, None),
            (" 1001: 18 18/17 17/200\n", 1001, None),
            // uid 10010 is not uid 1001.
            ("10010: 1 1/1 1/200 9/20000\n", 1001, None),
        ];
        for (text, uid, want) in table {
            let got = parse(text, uid).map(|u| (u.keys, u.max_keys, u.bytes, u.max_bytes));
            assert_eq!(got, want, "{uid} in {text:?}");
        }
    }
}
