"""The end-to-end scenario through the generated Python bindings and the real library."""

import datetime as dt
import threading

import pytest

import vigil_core as core
import vigil_ffi as v

DEVICE = b"keystore secret for the tests!!!"
T0 = dt.datetime(2026, 11, 28, 20, 0, tzinfo=dt.timezone.utc)
FAST_KDF = 100_000


def at(minutes):
    return T0 + dt.timedelta(minutes=minutes)


def booking_input(label, phone=None):
    return v.BookingInput(
        client_label=label,
        client_phone=phone,
        client_email=None,
        client_handle=None,
        starts_at=at(0),
        ends_at=at(60),
        kind=core.BookingKind.OUTCALL,
        address="12 Example Street",
        latitude=51.5,
        longitude=-0.12,
        terms=None,
        notes=None,
        status=core.BookingStatus.PLANNED,
    )


@pytest.fixture
def vault(tmp_path):
    return v.Vault(str(tmp_path / "vault.db"))


def test_the_whole_scenario(vault, fixtures_dir):
    # Create, lock, reopen with the wrong and then the right passphrase.
    session = vault.create("correct horse", DEVICE, FAST_KDF)
    session.lock()
    with pytest.raises(v.VigilError.WrongPassphrase):
        vault.unlock("wrong horse", DEVICE, T0)
    session = vault.unlock("correct horse", DEVICE, T0)

    # A booking and a buddy.
    booking = session.add_booking(booking_input("New client", "07700 900123"), T0)
    assert session.get_booking(booking.id) == booking
    buddy = session.add_buddy(
        v.BuddyInput(name="Ana", phone="07400 123456", channel=core.Channel.SMS, language="ro")
    )
    assert buddy.phone == "+447400123456"
    session.set_checkin_codes("4321", "9876")

    # Start a check-in and advance time through tick to an escalation.
    status = session.start_checkin(
        v.CheckinInput(
            deadline=at(60),
            buddy_ids=[buddy.id],
            booking_id=booking.id,
            reminder_minutes=None,
            grace_minutes=None,
            repeat_minutes=None,
        ),
        T0,
    )
    assert status.phase == core.CheckinPhase.ARMED
    wake = session.next_wakeup()
    assert wake == at(55)  # the reminder, 5 minutes before the deadline
    reminder = session.tick(wake)
    assert [a.kind.notice for a in reminder if a.kind.is_NOTIFY_WORKER()] == [core.WorkerNotice.REMINDER]
    for action in reminder:
        session.report_outcome(action.id, core.Outcome.SENT(), wake)
    escalation_time = at(70)  # deadline + 10 minutes of grace
    actions = []
    while not any(a.kind.is_MESSAGE_BUDDY() for a in actions):
        wake = session.next_wakeup()
        assert wake is not None and wake <= escalation_time
        actions = session.tick(wake)
        for action in actions:
            if not action.kind.is_MESSAGE_BUDDY():
                session.report_outcome(action.id, core.Outcome.SENT(), wake)
    alert = next(a for a in actions if a.kind.is_MESSAGE_BUDDY())
    assert alert.kind.phone == "+447400123456"
    assert alert.kind.language == "ro"
    assert "openstreetmap.org" in alert.kind.text
    assert not alert.kind.discreet
    # The SMS failed: the core retries rather than believing it was sent.
    session.report_outcome(alert.id, core.Outcome.FAILED(reason="no signal"), escalation_time)
    retry_at = session.next_wakeup()
    assert retry_at > escalation_time
    retried = [a for a in session.tick(retry_at) if a.kind.is_MESSAGE_BUDDY()]
    assert retried and retried[0].kind.phone == "+447400123456"
    session.report_outcome(retried[0].id, core.Outcome.SENT(), retry_at)

    # The duress code: the same answer as a normal check-in, and a silent alert.
    receipt = session.check_in("9876", retry_at)
    assert receipt.checkin_ids == [status.id]
    duress = [a for a in session.tick(retry_at) if a.kind.is_MESSAGE_BUDDY()]
    assert duress and all(a.kind.discreet for a in duress)
    assert all(a.kind.purpose == core.MessagePurpose.DURESS for a in duress)
    assert session.list_checkins().checkins == []

    # A client note, and the same number screened written three ways.
    note = session.add_note(
        v.NoteInput(identifiers=["07700 900461"], label="Dave", risk=core.Risk.DANGER, text="violent"),
        T0,
    )
    assert note.identifiers == ["+447700900461"]
    for written in ["07700 900461", "+44 7700 900461", "0044-7700-900-461"]:
        result = session.screen(written, T0)
        assert result.overall == core.Risk.DANGER, written
        assert result.matches[0].exact and result.matches[0].source.is_NOTE()
        assert result.matches[0].source.label == "Dave"
        assert (result.unreadable_notes, result.unreadable_alerts) == (0, 0)
    partial = session.screen("900461", T0)
    assert partial.matches and not partial.matches[0].exact

    # A signed directory bundle, then nearby services.
    with pytest.raises(v.VigilError.UnknownPublisher) as err:
        session.import_bundle((fixtures_dir / "directory.bundle").read_bytes(), T0)
    assert "trust the publisher" in err.value.hint
    session.trust_publisher("Test project", (fixtures_dir / "publisher.pub").read_text(), T0)
    summary = session.import_bundle((fixtures_dir / "directory.bundle").read_bytes(), T0)
    assert (summary.kind, summary.records, summary.version) == (core.BundleKind.DIRECTORY, 3, 1)
    # An alert bundle from the same publisher: the match says who published it, with the
    # name as she pinned it, and what it reports, as data (no lowercased debug string).
    alerts = session.import_bundle((fixtures_dir / "alerts.bundle").read_bytes(), T0)
    assert (alerts.kind, alerts.records, alerts.skipped) == (core.BundleKind.ALERTS, 1, 0)
    flagged = session.screen("07700 900999", T0)
    assert flagged.overall == core.Risk.DANGER
    assert flagged.matches[0].source == v.MatchSource.ALERT(
        publisher="Test project", category=core.AlertCategory.SEXUAL_ASSAULT
    )
    assert flagged.matches[0].detail == "Test alert"
    hits = session.nearby_services(
        v.NearbyInput(
            latitude=51.5136, longitude=-0.1365, radius_km=5.0, limit=10,
            categories=[], open_at=None,
        ),
        T0,
    )
    assert (hits.unreadable_ids, hits.incomplete_publishers, hits.maybe_open) == ([], [], [])
    hits = hits.services
    assert [h.id for h in hits][0] == "test:1"
    assert hits == sorted(hits, key=lambda h: h.distance_m)
    assert hits[0].open_state == core.OpenState.OPEN
    clinics = session.nearby_services(
        v.NearbyInput(
            latitude=51.5136, longitude=-0.1365, radius_km=5.0, limit=10,
            categories=["sexual health clinic"], open_at=T0,
        ),
        T0,
    )
    assert [h.id for h in clinics.services] == ["test:1"]
    # Saturday 20:00: the clinic (24/7) is open, the pharmacy (to 18:00) closed; the project
    # publishes no hours, so it is only "maybe open", listed after the open ones.
    grouped = session.nearby_services(
        v.NearbyInput(
            latitude=51.5136, longitude=-0.1365, radius_km=5.0, limit=10,
            categories=[], open_at=T0, include_maybe_open=True,
        ),
        T0,
    )
    assert [(h.id, h.open_state) for h in grouped.services] == [("test:1", core.OpenState.OPEN)]
    assert [(h.id, h.open_state) for h in grouped.maybe_open] == [
        ("test:3", core.OpenState.UNKNOWN)]
    assert grouped.maybe_open[0].hours_source == core.HoursSource.NOT_PUBLISHED
    assert grouped.services[0].next_state is None
    with pytest.raises(v.VigilError.InvalidInput):
        session.nearby_services(
            v.NearbyInput(latitude=91.0, longitude=0.0, radius_km=5.0, limit=10,
                          categories=[], open_at=None),
            T0,
        )
    # Replaying the same bundle is a rollback.
    with pytest.raises(v.VigilError.BundleNotNewer):
        session.import_bundle((fixtures_dir / "directory.bundle").read_bytes(), T0)

    # Lock, and every call is refused; then wipe.
    session.lock()
    with pytest.raises(v.VigilError.Locked):
        session.list_bookings(None, None)
    vault.wipe()
    assert not vault.exists()
    with pytest.raises(v.VigilError.VaultNotFound):
        vault.unlock("correct horse", DEVICE, T0)


def test_errors_cross_the_boundary_as_typed_exceptions(vault, tmp_path):
    session = vault.create("pass", DEVICE, FAST_KDF)
    bad = booking_input("x")
    bad.ends_at = at(-10)
    with pytest.raises(v.VigilError.InvalidInput) as err:
        session.add_booking(bad, T0)
    assert "end time" in str(err.value)
    with pytest.raises(v.VigilError.InvalidInput):
        session.get_booking("not an id")
    with pytest.raises(v.VigilError.NotFound):
        session.get_booking("00" * 16)
    with pytest.raises(v.VigilError.InvalidInput):
        session.screen("#!?", T0)
    with pytest.raises(v.VigilError.CodesNotSet):
        session.check_in("1234", T0)
    with pytest.raises(v.VigilError.VaultExists):
        vault.create("pass", DEVICE, FAST_KDF)
    short_secret = v.Vault(str(tmp_path / "short.db"))
    with pytest.raises(v.VigilError.InvalidInput):
        short_secret.create("pass", b"too short", FAST_KDF)
    assert not short_secret.exists()
    with pytest.raises(v.VigilError.WeakKdf):
        vault.create("pass2", DEVICE, 10) if not vault.exists() else v.Vault(
            str(vault_path_sibling(vault))
        ).create("p", DEVICE, 10)


def test_a_wrong_code_and_nothing_armed_arrive_as_different_errors_with_hints(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    buddy = session.add_buddy(
        v.BuddyInput(name="Ana", phone="07400 123456", channel=core.Channel.SMS, language="en")
    )
    session.set_checkin_codes("4321", "9876")
    # Nothing armed yet: a lock screen says there is nothing to check in to.
    with pytest.raises(v.VigilError.NothingArmed) as none:
        session.check_in("4321", T0)
    assert none.value.hint and none.value.detail == "no check-in is armed"
    session.start_checkin(
        v.CheckinInput(deadline=at(30), buddy_ids=[buddy.id], booking_id=None,
                       reminder_minutes=None, grace_minutes=None, repeat_minutes=None),
        T0,
    )
    # Armed, wrong code: a lock screen asks her to try again.
    with pytest.raises(v.VigilError.WrongCode) as wrong:
        session.check_in("1111", at(1))
    assert wrong.value.hint and wrong.value.detail == "wrong check-in code"
    assert wrong.value.hint != none.value.hint
    # Both are VigilError, so one handler still catches every failure.
    assert isinstance(wrong.value, v.VigilError) and isinstance(none.value, v.VigilError)


def test_times_outside_the_core_range_are_typed_errors(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    before_1970 = dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.timezone.utc)
    with pytest.raises(v.VigilError.TimeOutOfRange) as err:
        session.add_booking(booking_input("x"), before_1970)
    assert err.value.hint
    with pytest.raises(v.VigilError.TimeOutOfRange):
        session.tick(before_1970)
    # Minutes beyond any check-in (12 hours) are the check-in's refusal, not the clock's.
    with pytest.raises(v.VigilError.InvalidInput) as err:
        session.extend_checkin("00" * 16, 2**63 - 1, T0)
    assert "out of range" in err.value.detail


def vault_path_sibling(vault):
    import tempfile, os
    return os.path.join(tempfile.mkdtemp(), "weak.db")


def test_a_duress_unlock_looks_like_a_normal_one(vault):
    session = vault.create("real", DEVICE, FAST_KDF)
    session.add_booking(booking_input("Secret client"), T0)
    session.set_duress("real", "decoy", False, False, [], T0)
    session.lock()
    decoy = vault.unlock("decoy", DEVICE, T0)
    labels = [b.details.client_label for b in decoy.list_bookings(None, None).bookings]
    assert labels and "Secret client" not in labels
    decoy.lock()
    real = vault.unlock("real", DEVICE, T0)
    assert [b.details.client_label for b in real.list_bookings(None, None).bookings] == ["Secret client"]


def test_damage_is_reported_not_hidden(vault, tmp_path):
    import sqlite3

    session = vault.create("pass", DEVICE, FAST_KDF)
    session.add_note(
        v.NoteInput(identifiers=["07700 900461"], label="Dave", risk=core.Risk.DANGER, text=""),
        T0,
    )
    raw = sqlite3.connect(str(tmp_path / "vault.db"))
    raw.execute("UPDATE screening_notes SET body = x'00'")
    raw.commit()
    # Not an all-clear: the answer says a note it should have read could not be read.
    result = session.screen("07700 900461", T0)
    assert result.matches == []
    assert (result.unreadable_notes, result.unreadable_alerts) == (1, 0)
    session.lock()
    raw.execute("PRAGMA user_version = 1000")
    raw.commit()
    raw.close()
    with pytest.raises(v.VigilError.NewerVersion):
        vault.unlock("pass", DEVICE, T0)


def test_the_session_is_safe_to_share_between_threads(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    errors = []

    def writer(n):
        try:
            for i in range(10):
                session.add_booking(booking_input(f"thread {n} booking {i}"), T0)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(session.list_bookings(None, None).bookings) == 40


def test_the_background_runner_needs_only_the_device_secret(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    buddy = session.add_buddy(
        v.BuddyInput(name="Ana", phone="07400 123456", channel=core.Channel.SMS, language="en")
    )
    session.set_checkin_codes("4321", "9876")
    session.start_checkin(
        v.CheckinInput(deadline=at(30), buddy_ids=[buddy.id], booking_id=None,
                       reminder_minutes=None, grace_minutes=None, repeat_minutes=None),
        T0,
    )
    session.lock()
    with pytest.raises(v.VigilError.WrongDeviceSecret):
        vault.background_runner(b"some other phone's secret!!").tick(at(45))
    runner = vault.background_runner(DEVICE)
    actions = runner.tick(at(45))
    assert any(a.kind.is_MESSAGE_BUDDY() for a in actions)
    receipt = runner.check_in("4321", at(46))
    assert len(receipt.checkin_ids) == 1


def test_the_locked_runner_acknowledges_lists_takes_locations_and_keeps_action_ids(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    ana = session.add_buddy(
        v.BuddyInput(name="Ana", phone="07400 123456", channel=core.Channel.SMS, language="en")
    )
    bea = session.add_buddy(
        v.BuddyInput(name="Bea", phone="07400 654321", channel=core.Channel.SMS, language="en")
    )
    session.set_checkin_codes("4321", "9876")

    def checkin_input(ladder, grace=None):
        return v.CheckinInput(
            deadline=at(30), buddy_ids=[ana.id, bea.id], booking_id=None,
            reminder_minutes=None, grace_minutes=grace, repeat_minutes=None, ladder=ladder,
        )

    # A custom ladder: Ana at deadline + grace, Bea ten minutes later by call. Out of
    # order, or i64::MAX minutes, is a typed error, not a panic.
    ana_first = v.LadderStepInput(after_minutes=0, buddy_ids=[ana.id], channel=None)
    bea_later = v.LadderStepInput(after_minutes=10, buddy_ids=[bea.id], channel=core.Channel.CALL)
    with pytest.raises(v.VigilError.InvalidInput) as err:
        session.start_checkin(checkin_input([bea_later, ana_first]), T0)
    assert "step 2" in str(err.value)
    with pytest.raises(v.VigilError.InvalidInput):
        session.start_checkin(checkin_input([ana_first, bea_later], grace=2**63 - 1), T0)
    session.start_checkin(checkin_input([ana_first, bea_later]), T0)
    session.lock()

    runner = vault.background_runner(DEVICE)
    runner.update_location(51.5, -0.12, 20.0, at(31))
    # The lock screen: state and times only.
    listing = runner.list()
    assert listing.unreadable_ids == []
    [item] = listing.checkins
    assert item.phase == core.CheckinPhase.ARMED
    assert (item.deadline, item.escalates_at) == (at(30), at(40))
    assert (item.buddies_alerted, item.acknowledged) == (0, False)
    assert "Ana" not in repr(listing) and "7400" not in repr(listing)
    # A `now` outside the core's range (a phone clock reset before 1970) is a typed error.
    with pytest.raises(v.VigilError.TimeOutOfRange):
        runner.tick(dt.datetime(1969, 12, 31, 23, 59, tzinfo=dt.timezone.utc))

    def tick(when):
        actions = runner.tick(when)
        for a in actions:
            if not a.kind.is_MESSAGE_BUDDY():
                runner.report_outcome(a.id, core.Outcome.SENT(), when)
        return [a for a in actions if a.kind.is_MESSAGE_BUDDY()]

    [alert] = tick(at(40))
    assert alert.kind.buddy_id == ana.id and alert.attempt == 1
    assert "last location" in alert.kind.text
    # The SMS fails; its retry keeps the action id, so the shell knows it replaces it.
    runner.report_outcome(alert.id, core.Outcome.FAILED(reason="no signal"), at(40))
    [retry] = tick(at(40) + dt.timedelta(seconds=30))
    assert retry.id == alert.id and retry.attempt == 2
    runner.report_outcome(retry.id, core.Outcome.SENT(), at(40) + dt.timedelta(seconds=30))
    assert runner.list().checkins[0].buddies_alerted == 1

    # Ana replies while the phone is locked: no repeat round for her at 45.
    runner.acknowledge(item.id, ana.id, at(41))
    assert runner.list().checkins[0].acknowledged
    assert tick(at(45)) == []

    # Bea's step at 50, by call. Every call fails: the worker is told which channel
    # failed, which comes next, and why.
    [call] = tick(at(50))
    assert call.kind.buddy_id == bea.id and call.kind.channel == core.Channel.CALL
    told = None
    now = at(50)
    call_id = call.id
    for _ in range(20):
        runner.report_outcome(call.id, core.Outcome.FAILED(reason="busy"), now)
        now = runner.next_wakeup()
        actions = runner.tick(now)
        told = next((a for a in actions if a.kind.is_WORKER_ALERT_FAILED()), None)
        if told:
            break
        call = next(a for a in actions if a.kind.is_MESSAGE_BUDDY())
        assert call.id == call_id and call.kind.channel == core.Channel.CALL
    assert told is not None
    assert told.kind.failed_channel == core.Channel.CALL
    assert told.kind.next_channel == core.Channel.SMS
    assert told.kind.reason == "busy"
    assert not told.kind.every_channel_failed

def add_ana(session, language="en"):
    return session.add_buddy(
        v.BuddyInput(name="Ana", phone="07400 123456", channel=core.Channel.SMS, language=language)
    )


def test_a_duress_unlock_with_a_prepared_alert_queues_the_silent_alert(vault):
    session = vault.create("real", DEVICE, FAST_KDF)
    ana = add_ana(session)
    session.set_checkin_codes("4321", "9876")
    settings = session.settings()
    settings.utc_offset_minutes = 120
    session.set_settings(settings)
    session.set_duress("real", "decoy", False, True, [ana.id], T0)
    session.lock()

    # The duress passphrase opens a session like any other: no error, nothing to tell it by.
    decoy = vault.unlock("decoy", DEVICE, T0)
    assert type(decoy) is v.Session and not decoy.is_locked()
    assert decoy.list_checkins().checkins == [] and decoy.list_buddies().buddies == []
    assert decoy.settings().region == "GB"
    # The next tick yields the silent alert to Ana: discreet, duress, with no notification
    # for whoever holds the phone.
    actions = decoy.tick(T0)
    assert actions and all(a.kind.is_MESSAGE_BUDDY() for a in actions)
    [alert] = actions
    assert alert.kind.buddy_id == ana.id and alert.kind.phone == "+447400123456"
    assert alert.kind.discreet and alert.kind.purpose == core.MessagePurpose.DURESS
    assert "22:00" in alert.kind.text  # 20:00 UTC in her stored offset, not UTC
    decoy.report_outcome(alert.id, core.Outcome.SENT(), T0)
    decoy.lock()

    # A real unlock queues nothing.
    real = vault.unlock("real", DEVICE, at(1))
    assert real.tick(at(1)) == []
    assert real.list_buddies().buddies == [ana]


def test_a_duress_unlock_without_the_alert_sends_nothing_and_clear_duress_removes_it(vault):
    session = vault.create("real", DEVICE, FAST_KDF)
    ana = add_ana(session)
    session.set_checkin_codes("4321", "9876")
    session.set_duress("real", "decoy", False, True, [], T0)
    session.clear_duress()
    session.lock()
    # The duress passphrase is gone, and with it the alert.
    with pytest.raises(v.VigilError.WrongPassphrase):
        vault.unlock("decoy", DEVICE, T0)
    runner = vault.background_runner(DEVICE)
    assert runner.tick(T0) == []
    real = vault.unlock("real", DEVICE, T0)
    real.set_duress("real", "decoy", False, False, [], T0)
    real.lock()
    decoy = vault.unlock("decoy", DEVICE, T0)
    assert decoy.tick(T0) == []
    assert ana.id  # (Ana stays a buddy of the real vault)


def test_settings_are_stored_in_the_vault_and_used(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    assert session.settings() == v.Settings(
        region="GB", worker_languages=["en"], utc_offset_minutes=None, idle_lock_minutes=5
    )
    session.set_settings(
        v.Settings(region="ro", worker_languages=["ro", "en"], utc_offset_minutes=-180,
                   idle_lock_minutes=30)
    )
    # National numbers are now read as Romanian, for buddies and screening alike.
    buddy = session.add_buddy(
        v.BuddyInput(name="Ana", phone="0722 123 456", channel=core.Channel.SMS, language="ro")
    )
    assert buddy.phone == "+40722123456"
    note = session.add_note(
        v.NoteInput(identifiers=["0722 999 888"], label=None, risk=core.Risk.CAUTION, text=""), T0
    )
    assert note.identifiers == ["+40722999888"] and note.label == "+40722999888"
    # Bad values are refused whole, naming the field, and nothing changes.
    with pytest.raises(v.VigilError.InvalidInput) as err:
        session.set_settings(
            v.Settings(region="GB", worker_languages=["en"], utc_offset_minutes=15 * 60,
                       idle_lock_minutes=5)
        )
    assert "UTC offset" in str(err.value)
    with pytest.raises(v.VigilError.InvalidInput):
        session.set_device_utc_offset(24 * 60)
    session.lock()
    again = vault.unlock("pass", DEVICE, T0)
    assert again.settings() == v.Settings(
        region="RO", worker_languages=["ro", "en"], utc_offset_minutes=-180, idle_lock_minutes=30
    )
    # Check-in messages use the stored language and offset (no longer in CheckinInput).
    again.set_checkin_codes("4321", "9876")
    again.start_checkin(
        v.CheckinInput(deadline=at(30), buddy_ids=[], booking_id=None, reminder_minutes=None,
                       grace_minutes=None, repeat_minutes=None),
        T0,
    )
    alerts = []
    now = at(40)
    for _ in range(5):
        actions = again.tick(now)
        alerts = [a for a in actions if a.kind.is_MESSAGE_BUDDY()]
        for a in actions:
            if not a.kind.is_MESSAGE_BUDDY():
                again.report_outcome(a.id, core.Outcome.SENT(), now)
        if alerts:
            break
    assert alerts and alerts[0].kind.buddy_id == buddy.id
    assert "17:30" in alerts[0].kind.text  # the 20:30 UTC deadline at UTC-3


def test_lists_carry_the_ids_of_unreadable_rows(vault, tmp_path, fixtures_dir):
    import sqlite3

    session = vault.create("pass", DEVICE, FAST_KDF)
    booking = session.add_booking(booking_input("Kept"), T0)
    broken_booking = session.add_booking(booking_input("Broken"), T0)
    note = session.add_note(
        v.NoteInput(identifiers=["07700 900461"], label="Dave", risk=core.Risk.DANGER, text=""), T0
    )
    ana = add_ana(session)
    session.set_checkin_codes("4321", "9876")
    status = session.start_checkin(
        v.CheckinInput(deadline=at(30), buddy_ids=[ana.id], booking_id=None,
                       reminder_minutes=None, grace_minutes=None, repeat_minutes=None),
        T0,
    )
    session.trust_publisher("Test project", (fixtures_dir / "publisher.pub").read_text(), T0)
    session.import_bundle((fixtures_dir / "directory.bundle").read_bytes(), T0)
    for listing, field in [(session.list_bookings(None, None), "bookings"),
                           (session.list_notes(), "notes"), (session.list_buddies(), "buddies"),
                           (session.list_checkins(), "checkins")]:
        assert listing.unreadable_ids == [] and getattr(listing, field), field

    raw = sqlite3.connect(str(tmp_path / "vault.db"))
    for table, record in [("bookings", broken_booking.id), ("screening_notes", note.id),
                          ("checkin_buddies", ana.id), ("checkin_escalation", status.id)]:
        changed = raw.execute(
            f"UPDATE {table} SET body = x'00' WHERE id = x'{record}'").rowcount
        assert changed == 1, table
    raw.execute("UPDATE directory_chunks SET body = x'00'")
    raw.commit()
    raw.close()
    session.lock()
    session = vault.unlock("pass", DEVICE, T0)

    bookings = session.list_bookings(None, None)
    assert [b.id for b in bookings.bookings] == [booking.id]
    assert bookings.unreadable_ids == [broken_booking.id]
    notes = session.list_notes()
    assert (notes.notes, notes.unreadable_ids) == ([], [note.id])
    buddies = session.list_buddies()
    assert (buddies.buddies, buddies.unreadable_ids) == ([], [ana.id])
    checkins = session.list_checkins()
    assert (checkins.checkins, checkins.unreadable_ids) == ([], [status.id])
    services = session.search_services("clinic", 10, T0)
    assert services.services == [] and services.unreadable_ids
    result = session.screen("07700 900461", T0)
    assert (result.unreadable_notes, result.matches) == (1, [])


def test_export_and_restore_into_an_existing_and_a_new_vault(vault, tmp_path):
    session = vault.create("pass", DEVICE, FAST_KDF)
    session.add_booking(booking_input("Backed up"), T0)
    note = session.add_note(
        v.NoteInput(identifiers=["07700 900461"], label="Dave", risk=core.Risk.DANGER, text="x"), T0
    )
    backup = tmp_path / "vigil.backup"
    summary = session.export_to_file(str(backup), "backup words", T0)
    assert dict((s.section, s.records) for s in summary.sections)["bookings"] == 1
    assert (summary.unreadable_count, summary.unreadable) == (0, [])
    assert backup.exists() and not (tmp_path / "vigil.backup.partial").exists()
    assert backup.stat().st_mode & 0o777 == 0o600
    assert b"Backed up" not in backup.read_bytes()

    # Into the same vault: nothing new, nothing lost.
    session.delete_note(note.id)
    restored = session.restore(str(backup), "backup words", T0)
    by_section = {s.section: s for s in restored.sections}
    assert by_section["client_notes"].inserted == 1 and by_section["bookings"].kept_existing == 1
    assert [n.label for n in session.list_notes().notes] == ["Dave"]

    # Into a new vault.
    other = v.Vault(str(tmp_path / "other.db"))
    result = other.restore_into_new("new pass", DEVICE, FAST_KDF, str(backup), "backup words", T0)
    labels = [b.details.client_label for b in result.session.list_bookings(None, None).bookings]
    assert labels == ["Backed up"]
    assert result.summary.exported_at == T0

    # A wrong backup passphrase: the new vault is undone, nothing is left behind.
    failed = v.Vault(str(tmp_path / "failed.db"))
    with pytest.raises(v.VigilError.WrongBackupKey):
        failed.restore_into_new("new pass", DEVICE, FAST_KDF, str(backup), "wrong words", T0)
    assert not failed.exists()
    assert failed.probe() == v.VaultProbe(exists=False, needs_device_secret=False)
    # A damaged backup, into the existing vault: refused, nothing changed.
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(backup.read_bytes()[:200])
    with pytest.raises(v.VigilError.BackupDamaged):
        session.restore(str(damaged), "backup words", T0)


def test_notes_and_buddies_can_be_edited_and_deleted(vault):
    session = vault.create("pass", DEVICE, FAST_KDF)
    note = session.add_note(
        v.NoteInput(identifiers=["07700 900461"], label="Dave", risk=core.Risk.CAUTION, text=""), T0
    )
    edited = session.update_note(
        note.id,
        v.NoteInput(identifiers=["07700 900462", "instagram:@dave.x"], label=None,
                    risk=core.Risk.DANGER, text="changed"),
        at(1),
    )
    assert (edited.id, edited.label, edited.risk) == (note.id, "+447700900462", core.Risk.DANGER)
    assert edited.identifiers == ["+447700900462", "instagram:dave.x"]
    assert session.screen("07700 900461", at(1)).matches == []
    assert session.screen("07700 900462", at(1)).overall == core.Risk.DANGER
    session.delete_note(note.id)
    assert session.list_notes().notes == []
    with pytest.raises(v.VigilError.NotFound):
        session.update_note(note.id, v.NoteInput(identifiers=["07700 900461"], label=None,
                                                 risk=core.Risk.SAFE, text=""), at(2))

    ana = add_ana(session)
    moved = session.update_buddy(
        ana.id,
        v.BuddyInput(name="Ana M", phone="07400 999999", channel=core.Channel.CALL, language="pt"),
    )
    assert (moved.id, moved.name, moved.phone) == (ana.id, "Ana M", "+447400999999")
    assert session.list_buddies().buddies == [moved]
    session.remove_buddy(ana.id)
    assert session.list_buddies().buddies == []
    with pytest.raises(v.VigilError.NotFound):
        session.update_buddy(ana.id, v.BuddyInput(name="x", phone="07400 123456",
                                                  channel=core.Channel.SMS, language="en"))


def test_probe_pending_wipe_and_feed_status(vault, tmp_path, fixtures_dir):
    assert vault.probe() == v.VaultProbe(exists=False, needs_device_secret=False)
    session = vault.create("pass", DEVICE, FAST_KDF)
    assert vault.probe() == v.VaultProbe(exists=True, needs_device_secret=True)
    other = tmp_path / "notes.txt"
    other.write_text("not a vault")
    with pytest.raises(v.VigilError.NotAVault):
        v.Vault(str(other)).probe()

    assert session.feed_status(T0) == []
    key = (fixtures_dir / "publisher.pub").read_text().strip()
    session.trust_publisher("Test project", key, T0)
    [publisher] = session.trusted_publishers().publishers
    assert (publisher.name, publisher.public_keys, publisher.trusted_at) == ("Test project", [key], T0)
    session.import_bundle((fixtures_dir / "directory.bundle").read_bytes(), T0)
    [feed] = session.feed_status(T0)
    assert (feed.publisher, feed.kind, feed.version) == ("Test project", core.BundleKind.DIRECTORY, 1)
    assert feed.accepted_at == T0 and feed.expires_at > feed.issued_at and not feed.stale
    assert session.feed_status(feed.expires_at + dt.timedelta(seconds=1))[0].stale
    session.lock()

    # A pending wipe does nothing before its time, and nothing at all once cancelled.
    pending = vault.wipe_after(T0, 10)
    assert pending.due_at() == T0 + dt.timedelta(seconds=10)
    assert pending.poll(at(0)) == core.WipeState.PENDING
    assert pending.cancel() == core.WipeState.CANCELLED
    assert pending.poll(at(1)) == core.WipeState.CANCELLED
    assert vault.exists()
    pending = vault.wipe_after(T0, 10)
    assert pending.poll(T0 + dt.timedelta(seconds=10)) == core.WipeState.DONE
    assert pending.cancel() == core.WipeState.DONE
    assert not vault.exists()


# Every variant of every enum in the API, by name. A variant added in the core must be added
# here (and in vigil_ffi::enum_variants), or this test fails.
EXPECTED_VARIANTS = {
    "booking_kinds": (core.BookingKind, ["INCALL", "OUTCALL", "VIDEO", "OTHER"]),
    "booking_statuses": (
        core.BookingStatus,
        ["PLANNED", "IN_PROGRESS", "DONE", "CANCELLED", "NO_SHOW", "INCIDENT"],
    ),
    "channels": (core.Channel, ["SMS", "CALL", "OTHER_APP"]),
    "checkin_phases": (core.CheckinPhase, ["ARMED", "ESCALATING", "ENDED"]),
    "worker_notices": (core.WorkerNotice, ["REMINDER", "OVERDUE", "ESCALATING"]),
    "message_purposes": (core.MessagePurpose, ["ALERT", "DURESS", "SAFE"]),
    "risks": (core.Risk, ["SAFE", "UNKNOWN", "CAUTION", "DANGER", "BLOCKED"]),
    "alert_categories": (
        core.AlertCategory,
        ["VIOLENCE", "SEXUAL_ASSAULT", "ROBBERY", "STEALTHING", "HARASSMENT", "NON_PAYMENT",
         "TIME_WASTER", "OTHER"],
    ),
    "open_states": (core.OpenState, ["OPEN", "CLOSED", "UNKNOWN"]),
    "hours_sources": (core.HoursSource, ["PUBLISHED", "NOT_PUBLISHED", "NOT_UNDERSTOOD"]),
    "bundle_kinds": (core.BundleKind, ["ALERTS", "DIRECTORY"]),
    "wipe_states": (core.WipeState, ["PENDING", "CANCELLED", "DONE"]),
}
EXPECTED_DATA_VARIANTS = {
    "outcomes": (core.Outcome, ["SENT", "FAILED"]),
    "action_kinds": (v.ActionKind, ["NOTIFY_WORKER", "MESSAGE_BUDDY", "WORKER_ALERT_FAILED"]),
    "match_sources": (v.MatchSource, ["NOTE", "ALERT"]),
}


def data_variants(cls):
    """The variant names of an enum with data (each has an `is_NAME` method)."""
    return sorted(n[3:] for n in dir(cls) if n.startswith("is_") and n[3:].isupper())


def test_every_enum_variant_round_trips():
    variants = v.enum_variants()
    fields = set(vars(variants))
    assert fields == set(EXPECTED_VARIANTS) | set(EXPECTED_DATA_VARIANTS), "an enum is not covered"
    for field, (cls, names) in EXPECTED_VARIANTS.items():
        assert [m.name for m in cls] == names, field
        assert getattr(variants, field) == list(cls), field
    for field, (cls, names) in EXPECTED_DATA_VARIANTS.items():
        assert data_variants(cls) == sorted(names), field
        sent = getattr(variants, field)
        assert [n for n in names for x in sent if getattr(x, "is_" + n)()] == names, field
    echoed = v.echo_enum_variants(variants)
    assert echoed == variants
    # Text in a variant's fields survives the trip unchanged.
    buddy = next(a for a in echoed.action_kinds if a.is_MESSAGE_BUDDY())
    assert buddy.text == "ą ș ñ ✓" and buddy.purpose == core.MessagePurpose.DURESS
    alert = next(m for m in echoed.match_sources if m.is_ALERT())
    assert alert.publisher == "SWARM Ugly Mugs (NW)"
