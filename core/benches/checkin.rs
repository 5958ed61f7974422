//! `tick` and `next_wakeup` over 1,000 armed check-ins: the engine's due-time index against
//! a naive baseline that asks every check-in each time.
//!
//! cargo bench -p vigil-core --bench checkin

use std::hint::black_box;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use vigil_core::checkin::engine::{ArmSpec, CheckinState, Contact, Engine, Outcome};
use vigil_core::checkin::{AlertFacts, Channel, Timing};
use vigil_core::clock::Timestamp;
use vigil_core::vault::RecordId;

const N: usize = 1_000;

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()
}

/// 1,000 check-ins with deadlines spread over 8 hours, each with two buddies.
fn states() -> Vec<CheckinState> {
    (0..N)
        .map(|i| {
            let mut id = [0u8; 16];
            id[..8].copy_from_slice(&(i as u64).to_be_bytes());
            let contacts = (0..2u8)
                .map(|b| Contact {
                    buddy: RecordId::from_bytes([b + 1; 16]),
                    name: format!("Buddy {b}"),
                    phone: "+447400123456".into(),
                    channel: Channel::Sms,
                    language: "en".into(),
                    plain_letters: false,
                })
                .collect();
            CheckinState::arm(
                ArmSpec {
                    id: RecordId::from_bytes(id),
                    deadline: t0() + Duration::minutes(10) + Duration::seconds(29 * i as i64),
                    timing: Timing::default(),
                    contacts,
                    ladder: Vec::new(),
                    facts: AlertFacts::default(),
                    booking: None,
                    worker_language: "en".into(),
                    utc_offset_minutes: 0,
                },
                t0(),
            )
            .expect("valid check-in")
        })
        .collect()
}

/// The engine brought up to `now` (everything due so far issued and reported sent), so
/// that the measured tick is the steady-state one: a few check-ins due, most not.
fn steady_engine(now: Timestamp) -> Engine {
    let mut engine = Engine::from_states(states());
    for a in engine.tick(now) {
        engine
            .report(&a.id, Outcome::Sent, now)
            .expect("known action");
    }
    engine
}

fn bench(c: &mut Criterion) {
    let now = t0() + Duration::hours(2);
    let engine = steady_engine(now);
    let wake = engine.next_wakeup().expect("something is due later");
    let naive: Vec<CheckinState> = engine.states().cloned().collect();

    let mut g = c.benchmark_group("checkin_1000_armed");
    g.sample_size(10)
        .warm_up_time(StdDuration::from_millis(500))
        .measurement_time(StdDuration::from_secs(2));

    g.bench_function("next_wakeup/indexed", |b| {
        b.iter(|| black_box(engine.next_wakeup()))
    });
    g.bench_function("next_wakeup/naive_recompute", |b| {
        b.iter(|| black_box(naive.iter().filter_map(CheckinState::next_due).min()))
    });
    g.bench_function("tick/indexed", |b| {
        b.iter_batched_ref(
            || engine.clone(),
            |e| black_box(e.tick(wake)),
            BatchSize::LargeInput,
        )
    });
    g.bench_function("tick/naive_recompute", |b| {
        b.iter_batched_ref(
            || naive.clone(),
            |states| {
                let actions: Vec<_> = states.iter_mut().flat_map(|s| s.tick(wake)).collect();
                black_box(actions)
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
