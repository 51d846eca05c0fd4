//! INFO memory.

use super::{f2, field};
use crate::alloc;
use crate::conn::Client;
use crate::introspection::mem_overhead::overhead;
use crate::introspection::sys::{self, bytes_to_human};
use crate::server::Server;

pub(super) fn memory(out: &mut String, srv: &Server, current: Option<&Client>) {
    let mh = overhead(srv, current);
    let used = mh.total_allocated;
    let rss = srv.mem.process_rss;
    let total_system = sys::total_system_memory();
    let sc = &srv.status.scripting;
    let scripts = sc.eval_overhead + sc.functions_overhead;
    let vm_total = sc.vm_eval_memory + sc.vm_functions_memory;
    let maxmemory = srv.config.maxmemory.max(0) as u64;
    let a = srv.mem.allocator;
    field(out, "used_memory", used);
    field(out, "used_memory_human", bytes_to_human(used));
    field(out, "used_memory_rss", rss);
    field(out, "used_memory_rss_human", bytes_to_human(rss));
    field(out, "used_memory_peak", mh.peak_allocated);
    field(
        out,
        "used_memory_peak_human",
        bytes_to_human(mh.peak_allocated),
    );
    field(
        out,
        "used_memory_peak_perc",
        format!("{}%", f2(mh.peak_perc as f64)),
    );
    field(out, "used_memory_overhead", mh.overhead_total);
    field(out, "used_memory_startup", mh.startup_allocated);
    field(out, "used_memory_dataset", mh.dataset);
    field(
        out,
        "used_memory_dataset_perc",
        format!("{}%", f2(mh.dataset_perc as f64)),
    );
    field(out, "allocator_allocated", a.allocated);
    field(out, "allocator_active", a.active);
    field(out, "allocator_resident", a.resident);
    field(out, "total_system_memory", total_system);
    field(
        out,
        "total_system_memory_human",
        bytes_to_human(total_system),
    );
    field(out, "used_memory_lua", sc.vm_eval_memory);
    field(out, "used_memory_vm_eval", sc.vm_eval_memory);
    field(
        out,
        "used_memory_lua_human",
        bytes_to_human(sc.vm_eval_memory),
    );
    field(out, "used_memory_scripts_eval", sc.eval_overhead);
    field(out, "number_of_cached_scripts", sc.cached_scripts);
    field(out, "number_of_functions", sc.functions);
    field(out, "number_of_libraries", sc.libraries);
    field(out, "used_memory_vm_functions", sc.vm_functions_memory);
    field(out, "used_memory_vm_total", vm_total);
    field(out, "used_memory_vm_total_human", bytes_to_human(vm_total));
    field(out, "used_memory_functions", sc.functions_overhead);
    field(out, "used_memory_scripts", scripts);
    field(out, "used_memory_scripts_human", bytes_to_human(scripts));
    field(out, "maxmemory", maxmemory);
    field(out, "maxmemory_human", bytes_to_human(maxmemory));
    let policy = crate::introspection::config_value(srv, "maxmemory-policy");
    field(
        out,
        "maxmemory_policy",
        policy.as_deref().unwrap_or("noeviction"),
    );
    fragmentation(out, &mh);
    let repl = &srv.status.repl;
    field(out, "mem_not_counted_for_evict", not_counted_for_evict(srv));
    field(out, "mem_replication_backlog", mh.repl_backlog);
    field(
        out,
        "mem_total_replication_buffers",
        repl.total_replication_buffers,
    );
    field(out, "mem_clients_slaves", mh.clients_slaves);
    field(out, "mem_clients_normal", mh.clients_normal);
    field(out, "mem_cluster_links", mh.cluster_links);
    field(out, "mem_aof_buffer", mh.aof_buffer);
    field(out, "mem_allocator", alloc::allocator_name());
    field(
        out,
        "active_defrag_running",
        srv.status.active_defrag_running,
    );
    field(
        out,
        "lazyfree_pending_objects",
        srv.ks.lazyfree.pending_objects(),
    );
    field(out, "lazyfreed_objects", srv.ks.lazyfree.freed_objects());
}

fn fragmentation(out: &mut String, mh: &crate::introspection::mem_overhead::MemOverhead) {
    field(out, "allocator_frag_ratio", f2(mh.allocator_frag as f64));
    field(out, "allocator_frag_bytes", mh.allocator_frag_bytes);
    field(out, "allocator_rss_ratio", f2(mh.allocator_rss as f64));
    field(out, "allocator_rss_bytes", mh.allocator_rss_bytes);
    field(out, "rss_overhead_ratio", f2(mh.rss_extra as f64));
    field(out, "rss_overhead_bytes", mh.rss_extra_bytes);
    field(out, "mem_fragmentation_ratio", f2(mh.total_frag as f64));
    field(out, "mem_fragmentation_bytes", mh.total_frag_bytes);
}

/// Memory maxmemory does not count (Redis `freeMemoryGetNotCountedMemory`):
/// replica output buffers, the replication backlog and the AOF buffers.
pub fn not_counted_for_evict(srv: &Server) -> u64 {
    let st = &srv.status;
    let backlog = st.repl.backlog.map(|b| b.2).unwrap_or(0);
    let aof = if st.persistence.aof_enabled {
        st.persistence.aof_buffer_length
    } else {
        0
    };
    st.repl.total_replication_buffers.max(backlog) + aof
}
