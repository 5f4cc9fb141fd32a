//! The gate's Lua scripts, one per operation, each prefixed with the shared prelude (the
//! generation check, key names, the seat codec). `redis::Script` sends `EVALSHA` and, when a
//! restarted Redis answers `NOSCRIPT`, loads the script again and retries; [`Scripts::load`]
//! also loads them all up front (`SCRIPT LOAD`) so the first entries pay no upload.

use redis::Script;

macro_rules! gate_script {
    ($file:literal) => {
        Script::new(concat!(
            include_str!("lua/prelude.lua"),
            "\n",
            include_str!(concat!("lua/", $file))
        ))
    };
}

pub(crate) struct Scripts {
    pub admit: Script,
    pub committed: Script,
    pub abort: Script,
    pub extend: Script,
    pub begin_confirm: Script,
    pub end_confirm: Script,
    pub due: Script,
    pub released: Script,
    pub finalised: Script,
    pub release_failed: Script,
    pub seal: Script,
}

impl Scripts {
    pub fn new() -> Scripts {
        Scripts {
            admit: gate_script!("admit.lua"),
            committed: gate_script!("committed.lua"),
            abort: gate_script!("abort.lua"),
            extend: gate_script!("extend.lua"),
            begin_confirm: gate_script!("begin_confirm.lua"),
            end_confirm: gate_script!("end_confirm.lua"),
            due: gate_script!("due.lua"),
            released: gate_script!("released.lua"),
            finalised: gate_script!("finalised.lua"),
            release_failed: gate_script!("release_failed.lua"),
            seal: Script::new(include_str!("lua/seal.lua")),
        }
    }

    fn all(&self) -> [&Script; 11] {
        [
            &self.admit,
            &self.committed,
            &self.abort,
            &self.extend,
            &self.begin_confirm,
            &self.end_confirm,
            &self.due,
            &self.released,
            &self.finalised,
            &self.release_failed,
            &self.seal,
        ]
    }

    /// `SCRIPT LOAD`s every script (a Redis that restarts forgets them; `EVALSHA` then reloads).
    pub async fn load(&self, c: &mut redis::aio::ConnectionManager) -> redis::RedisResult<()> {
        for s in self.all() {
            s.prepare_invoke().load_async(c).await?;
        }
        Ok(())
    }
}
