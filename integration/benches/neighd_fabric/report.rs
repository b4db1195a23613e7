//! The printed tables: each figure beside its goal with the ratio.

use super::*;

// ------------------------------------------------------------------ report

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

pub(crate) fn report_scale(
    out: &mut String,
    r: &std::result::Result<(Scale, Result<Removal>), String>,
) {
    let _ = writeln!(
        out,
        "\n(a) live hosts probed every {PROBE_INTERVAL:?}, real kernels answering"
    );
    let s = match r {
        Ok((s, _)) => s,
        Err(e) => {
            let _ = writeln!(out, "  FAILED: {e}");
            return;
        }
    };
    let _ = writeln!(
        out,
        "  {} hosts in {} namespaces x 1000 addresses (macvlan), leaf entries nud permanent, neighd permanent = true",
        s.hosts, s.groups
    );
    let _ = writeln!(
        out,
        "  set-up (namespaces, addresses, FRR spine, neighd, session up)   {:>8.1} s",
        s.setup.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  {} neighbour entries written (one ip -batch)                  {:>8.1} s",
        s.hosts,
        s.batch.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  all {} /32s on the spine (pfxRcd) after the batch started      {:>8.1} s  (neighd CPU meanwhile {:.1} s)",
        s.hosts,
        s.all_on_spine.as_secs_f64(),
        s.ramp_cpu.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "  hosts alive (neighd_hosts{{state=\"alive\"}})                       {:>8.0}",
        s.alive
    );
    let rss_mb = s.rss as f64 / 1e6;
    let peak_mb = s.peak_rss as f64 / 1e6;
    let _ = writeln!(
        out,
        "  {:<44} {:>10} {:>10} {:>10} {:>9} {:>10} {:>9} {:>8} {:>7}",
        "steady state",
        "window",
        "probes/s",
        "answers/s",
        "missed/s",
        "withdrawn",
        "CPU core",
        "vs 0.25",
        "goal"
    );
    let mut row = |name: &str, w: &Window| {
        let _ = writeln!(
            out,
            "  {:<44} {:>8.1} s {:>10.0} {:>10.0} {:>9.0} {:>10.0} {:>9.3} {:>7.2}x {:>7}",
            name,
            w.wall.as_secs_f64(),
            w.probes_per_s,
            w.answered_per_s,
            w.missed_per_s,
            w.withdrawn,
            w.cpu_share,
            w.cpu_share / CPU_GOAL,
            verdict(w.cpu_share <= CPU_GOAL)
        );
    };
    row("as is (veth: answering kernels' rx in neighd)", &s.steady);
    match &s.rps {
        Ok(w) => row("answering kernels' rx on the other CPU (RPS)", w),
        Err(e) => {
            let _ = writeln!(out, "  RPS window FAILED: {e}");
        }
    }
    let _ = writeln!(
        out,
        "  whole machine busy meanwhile: {:.2} / {:.2} cores (as is / RPS)",
        s.steady.machine_share,
        s.rps.as_ref().map_or(f64::NAN, |w| w.machine_share)
    );
    let _ = writeln!(
        out,
        "  neighd RSS {:.1} MB (peak {:.1} MB)   goal <= {RSS_GOAL_MB} MB   {:.2}x   {}",
        rss_mb,
        peak_mb,
        peak_mb / RSS_GOAL_MB,
        verdict(peak_mb <= RSS_GOAL_MB)
    );
}

pub(crate) fn report_latency(out: &mut String, paths: [&std::result::Result<Latency, String>; 2]) {
    let _ = writeln!(
        out,
        "\n(b) neighbour entry on the leaf -> /32 at the spine ({LATENCY_HOSTS} hosts, one every {LATENCY_SPACING:?})"
    );
    let _ = writeln!(
        out,
        "  start: the leaf's `ip -ts monitor` event (neighbour entry; rdnbrd: table-10 route). end: the spine's bgpd\n  logging `rcvd PREFIX` (debug bgp updates in: the prefix is in its RIB), and the spine's kernel route (`ip -ts monitor route`).\n  `early`: end stamped before the start (the leaf's monitor woke later than bgpd logged), counted as 0"
    );
    let _ = writeln!(
        out,
        "  {:<24} {:<18} {:>6} {:>7} {:>6} {:>10} {:>10} {:>10} {:>10}",
        "path", "until", "hosts", "missed", "early", "min", "median", "p99", "max"
    );
    let mut sums: Vec<[Option<Summary>; 2]> = Vec::new();
    for l in paths {
        let l = match l {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(out, "  FAILED: {e}");
                sums.push([None, None]);
                continue;
            }
        };
        let mut both = [None, None];
        for (k, (until, samples, missed, early)) in [
            ("spine bgpd RIB", &l.to_rib, l.missing.0, l.early.0),
            ("spine kernel", &l.to_kernel, l.missing.1, l.early.1),
        ]
        .into_iter()
        .enumerate()
        {
            match Summary::of(samples) {
                Some(s) => {
                    let _ = writeln!(
                        out,
                        "  {:<24} {:<18} {:>6} {:>7} {:>6} {:>10} {:>10} {:>10} {:>10}",
                        l.name,
                        until,
                        s.count,
                        missed,
                        early,
                        ms(s.min),
                        ms(s.median),
                        ms(s.p99),
                        ms(s.max)
                    );
                    both[k] = Some(s);
                }
                None => {
                    let _ = writeln!(
                        out,
                        "  {:<24} {:<18} no samples ({missed} missed)",
                        l.name, until
                    );
                }
            }
        }
        if let Some(d) = l.inside {
            let _ = writeln!(
                out,
                "  {:<24} inside neighd (neighd_neigh_to_route_seconds mean): {:.1} us",
                "",
                d.as_secs_f64() * 1e6
            );
        }
        sums.push(both);
    }
    for (k, until) in ["spine bgpd RIB", "spine kernel"].into_iter().enumerate() {
        let ours = sums.first().and_then(|s| s[k]);
        let theirs = sums.get(1).and_then(|s| s[k]);
        let Some(ours) = ours else { continue };
        let mut line = format!(
            "  until {until}: neighd p99 {} vs goal {} = {:.2}x {}",
            ms(ours.p99),
            ms(P99_GOAL),
            ours.p99.as_secs_f64() / P99_GOAL.as_secs_f64(),
            verdict(ours.p99 <= P99_GOAL)
        );
        if let Some(theirs) = theirs {
            let ratio = ours.p99.as_secs_f64() / theirs.p99.as_secs_f64();
            let _ = write!(
                line,
                "; neighd/rdnbrd median {:.3}x, p99 {:.3}x (goal <= {RDNBRD_RATIO_GOAL}x) {}",
                ours.median.as_secs_f64() / theirs.median.as_secs_f64(),
                ratio,
                verdict(ratio <= RDNBRD_RATIO_GOAL)
            );
        }
        let _ = writeln!(out, "{line}");
    }
}

pub(crate) fn report_removal(
    out: &mut String,
    r: &std::result::Result<(Scale, Result<Removal>), String>,
) {
    let bound = PROBE_INTERVAL * PROBE_MISSES + REMOVAL_SLACK;
    let _ = writeln!(
        out,
        "\n(c) host removed (its address deleted: nothing answers ARP) -> /32 gone at the spine; on fabric (a),\n  probe_interval {PROBE_INTERVAL:?} x probe_misses {PROBE_MISSES} (the defaults); {REMOVED_HOSTS} hosts, one removed every 200-800 ms (random phases)"
    );
    let r = match r {
        Ok((_, Ok(r))) => r,
        Ok((_, Err(e))) => {
            let _ = writeln!(out, "  FAILED: {e}");
            return;
        }
        Err(_) => {
            let _ = writeln!(out, "  not run: fabric (a) failed");
            return;
        }
    };
    let _ = writeln!(
        out,
        "  {:<40} {:>6} {:>11} {:>11} {:>11} {:>11} {:>6} {:>7}",
        "until", "hosts", "min", "median", "p99", "max", "over", "goal"
    );
    for (until, samples) in [
        ("spine bgpd RIB (withdrawal logged)", &r.to_rib),
        ("spine kernel (route deleted)", &r.to_kernel),
    ] {
        match Summary::of(samples) {
            Some(s) => {
                let over = samples.iter().filter(|d| **d > bound).count();
                let _ = writeln!(
                    out,
                    "  {:<40} {:>6} {:>11} {:>11} {:>11} {:>11} {:>6} {:>7}",
                    until,
                    s.count,
                    ms(s.min),
                    ms(s.median),
                    ms(s.p99),
                    ms(s.max),
                    over,
                    verdict(over == 0 && r.missing.is_empty())
                );
            }
            None => {
                let _ = writeln!(out, "  {until:<40} no samples");
            }
        }
    }
    let _ = writeln!(out, "  bound: interval x misses + 50 ms = {}", ms(bound));
    if !r.missing.is_empty() {
        let _ = writeln!(out, "  not seen withdrawn within 15 s: {:?}", r.missing);
    }
    let _ = writeln!(
        out,
        "  the kernel's own state machine (default sysctls) on hosts it learned itself (leaf pings each every 200 ms), same removal:"
    );
    for (ip, gone, failed) in &r.kernel {
        let _ = writeln!(
            out,
            "    {ip}: withdrawn at the spine's RIB after {}; FAILED in the leaf's kernel after {}",
            gone.map_or("-".into(), ms),
            failed.map_or(
                format!("- (not within {KERNEL_FAILED_LIMIT:?})"),
                |d| format!("{:.1} s", d.as_secs_f64())
            )
        );
    }
}

pub(crate) fn load_text(l: [f64; 3]) -> String {
    format!("{:.2} {:.2} {:.2}", l[0], l[1], l[2])
}
