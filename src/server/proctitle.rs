//! Setting the process title (Redis server.c `redisSetProcTitle`): the
//! `proc-title-template` expanded with a title, argv[0] for the server and
//! a name such as "redis-rdb-bgsave" for its children.

use super::Server;
use crate::config::special::expand_proc_title;
use crate::event_loop::proctitle::ProcTitle;

impl Server {
    /// Takes over the argv area for titles (Redis `spt_init`); `argv0` is
    /// the program name as invoked. Call before any thread starts.
    pub fn init_proc_title(&mut self, argv0: Vec<u8>) {
        self.proc_title = ProcTitle::init(&argv0);
        self.exec_argv0 = argv0;
    }

    /// Writes the template expanded with `title` (argv[0] when None).
    /// False only when the template does not expand, which its check
    /// prevents.
    pub fn set_proc_title(&mut self, title: Option<&[u8]>) -> bool {
        let title = String::from_utf8_lossy(title.unwrap_or(&self.exec_argv0)).into_owned();
        let Some(expanded) =
            expand_proc_title(&self.config, &self.config.proc_title_template, &title)
        else {
            return false;
        };
        if let Some(pt) = &mut self.proc_title {
            pt.set(expanded.as_bytes());
        }
        true
    }
}

impl Server {
    /// What a fork child does first (Redis `redisFork` then the child's
    /// `redisSetProcTitle`): the background-child oom score and its title.
    pub fn setup_fork_child(&mut self, title: &[u8]) {
        let _ = self.set_oom_score_adj_class(2);
        self.set_proc_title(Some(title));
    }
}
