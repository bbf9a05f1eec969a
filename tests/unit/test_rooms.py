"""The class poll's room store (server/rooms.py), in the process and in a real redis-server."""

from __future__ import annotations

import time

import pytest

from harness import run_redis
from server import rooms
from server.rooms import LocalRooms, Question, RedisRooms, RoomRefused, RoomsUnavailable

BYTE = Question("byte", "Which byte does pixel x=3, y=0 give?", {"weights": [[1]]}, "37",
                {"37": "right", "40": "rounding where the mapping truncates"})
CHOICE = Question("choice", "Which picture is the output?", {}, "C",
                  {"A": "the kernel flipped", "C": "right"}, ("A", "B", "C", "D"))


@pytest.fixture(scope="module")
def redis_server():
    with run_redis(fail=pytest.fail) as server:
        yield server


@pytest.fixture(params=["local", "redis"])
def make_store(request):
    """A factory of empty stores of one backend: ``make_store(idle_s=...)``."""
    if request.param == "local":
        yield lambda **kw: LocalRooms(**kw)
        return
    server = request.getfixturevalue("redis_server")
    import redis

    redis.Redis.from_url(server.url).flushdb()
    yield lambda **kw: RedisRooms(server.url, **kw)


@pytest.fixture
def store(make_store):
    return make_store()


def test_a_lesson_teacher_sees_the_tally_students_see_nothing_until_the_reveal(store):
    """Answers count once each; before the reveal a student's view has no truth, no labels, no
    tally; after it everyone's has them."""
    opened = store.open_room("teacher-session")
    number = store.pose(opened.code, opened.token, BYTE)
    sent = {f"student-{i}": str(v) for i, v in enumerate([37, 37, 40, 12, 37, 40, 255])}
    for session, value in sent.items():
        store.join(opened.code, session)
        store.answer(opened.code, session, number, value, "byte")

    before = store.view(opened.code, "student-0")
    assert before.question.prompt == BYTE.prompt and before.question.material == BYTE.material
    assert (before.question.truth, before.question.labels) == ("", {})
    assert (before.tally, before.answers, before.mine) == (None, None, "37")

    teacher = store.view(opened.code, "teacher-session", opened.token)
    assert teacher.tally == {"37": 3, "40": 2, "12": 1, "255": 1}
    assert teacher.question.truth == "37" and teacher.question.labels == BYTE.labels

    store.reveal(opened.code, opened.token)
    after = store.view(opened.code, "student-3")
    assert after.revealed and after.question.truth == "37" and after.mine == "12"
    assert after.tally == teacher.tally and after.answers == 7
    with pytest.raises(RoomRefused, match="revealed"):
        store.answer(opened.code, "late-student", number, "37", "byte")


def test_one_answer_per_session_per_question_and_only_the_current_one(store, monkeypatch):
    monkeypatch.setattr(rooms, "ANSWERS_PER_SECOND", 100)  # the rate limit has its own test
    opened = store.open_room("t")
    first = store.pose(opened.code, opened.token, CHOICE)
    store.answer(opened.code, "s", first, "b", "choice")
    with pytest.raises(RoomRefused, match="answered this question already"):
        store.answer(opened.code, "s", first, "C", "choice")
    second = store.pose(opened.code, opened.token, BYTE)
    assert second == first + 1
    assert store.view(opened.code, "s").mine is None  # the old answers went with the question
    with pytest.raises(RoomRefused, match="moved on"):
        store.answer(opened.code, "s", first, "B", "choice")
    with pytest.raises(RoomRefused, match="moved on"):  # the kind the student saw differs
        store.answer(opened.code, "s", second, "B", "choice")
    store.answer(opened.code, "s", second, "200", "byte")
    assert store.view(opened.code, "t", opened.token).tally == {"200": 1}


def test_only_the_token_poses_reveals_and_reads_the_tally(store):
    opened = store.open_room("t")
    other = store.open_room("t2")
    with pytest.raises(RoomRefused, match="Only the session that opened"):
        store.pose(opened.code, other.token, BYTE)
    store.pose(opened.code, opened.token, BYTE)
    store.answer(opened.code, "s", 1, "37", "byte")
    with pytest.raises(RoomRefused, match="Only the session that opened"):
        store.reveal(opened.code, "guessed-token")
    peek = store.view(opened.code, "s", other.token)
    assert peek.tally is None and peek.question.truth == ""


def test_bounds_answers_questions_rooms_and_question_size(make_store, monkeypatch):
    monkeypatch.setattr(rooms, "MAX_ANSWERS", 3)
    monkeypatch.setattr(rooms, "MAX_QUESTIONS", 2)
    monkeypatch.setattr(rooms, "MAX_ROOMS", 2)
    store = make_store()
    opened = store.open_room("a")
    store.open_room("b")
    with pytest.raises(RoomRefused, match="as many open rooms"):
        store.open_room("c")
    store.pose(opened.code, opened.token, BYTE)
    for i in range(3):
        store.answer(opened.code, f"s{i}", 1, "1", "byte")
    with pytest.raises(RoomRefused, match=r"taken its \d+ answers"):
        store.answer(opened.code, "s3", 1, "1", "byte")
    assert store.view(opened.code, "a", opened.token).answers == 3
    store.pose(opened.code, opened.token, BYTE)
    with pytest.raises(RoomRefused, match="posed its"):
        store.pose(opened.code, opened.token, BYTE)
    big = Question("byte", "?", {"pad": "x" * rooms.MAX_QUESTION_BYTES}, "1")
    with pytest.raises(RoomRefused, match="too large"):
        store.pose(opened.code, opened.token, big)


def test_rate_limits_answers_rooms_and_unknown_codes(store):
    opened = store.open_room("t")
    store.pose(opened.code, opened.token, BYTE)
    # 2 * rate + 1 attempts in well under a second span at most two windows: one is refused.
    messages = []
    for _ in range(2 * rooms.ANSWERS_PER_SECOND + 1):
        try:
            store.answer(opened.code, "hasty", 1, "5", "byte")
            messages.append("taken")
        except RoomRefused as refusal:
            messages.append(str(refusal))
    assert messages[0] == "taken" and any("too fast" in m for m in messages), messages
    for _ in range(rooms.ROOMS_PER_HOUR - 1):
        store.open_room("t")
    with pytest.raises(RoomRefused, match="opened 5 rooms"):
        store.open_room("t")
    for _ in range(rooms.JOINS_PER_MINUTE):
        with pytest.raises(RoomRefused, match="No room has the code"):
            store.join("ZZZZ-ZZZZ", "guesser")
    with pytest.raises(RoomRefused, match="Too many unknown room codes"):
        store.join("ZZZZ-ZZZY", "guesser")
    assert store.join(opened.code.lower(), "guesser") == opened.code  # a real code still joins


def test_idle_rooms_expire_and_use_keeps_them(make_store):
    store = make_store(idle_s=1)
    kept, dropped = store.open_room("t"), store.open_room("t")
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline and store.size().rooms > 1:
        time.sleep(0.3)
        store.view(kept.code, "t")  # a room in use stays
    assert store.size().rooms == 1, "an idle room outlived its time"
    with pytest.raises(RoomRefused, match="No room has the code"):
        store.view(dropped.code, "t")
    assert store.view(kept.code, "t").number == 0


def test_nothing_personal_is_stored(store, redis_server):
    """The session ids are not in the store: only digests of them."""
    opened = store.open_room("teacher-7f3a")
    store.pose(opened.code, opened.token, BYTE)
    store.answer(opened.code, "student-9c2e", 1, "37", "byte")
    if isinstance(store, LocalRooms):
        held = repr(store._rooms) + repr(store._counts)
    else:
        import redis

        client = redis.Redis.from_url(redis_server.url, decode_responses=True)
        held = repr([(k, client.dump(k)) for k in client.scan_iter("*")])
    assert "student-9c2e" not in held and "teacher-7f3a" not in held
    assert opened.token not in held


@pytest.mark.parametrize("text", ["", "ABC", "ABCD-EFGH-J", "0000-0000", "abcd efg!"])
def test_malformed_codes_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match="A room code is 8 letters and digits"):
        rooms.check_code(text)


@pytest.mark.parametrize(("kind", "value"), [("byte", "256"), ("byte", "-1"), ("byte", "1.5"),
                                             ("choice", "E"), ("choice", "37")])
def test_malformed_answers_are_refused(kind, value):
    with pytest.raises(ValueError, match="An answer to this question is"):
        rooms.check_answer(kind, value)


def test_a_redis_that_is_down_is_unavailable_quickly():
    from harness import free_port

    store = RedisRooms(f"redis://127.0.0.1:{free_port()}/0", timeout_s=0.3)
    started = time.monotonic()
    with pytest.raises(RoomsUnavailable):
        store.open_room("t")
    with pytest.raises(RoomsUnavailable):
        store.view("ABCDEFGH", "t")
    assert time.monotonic() - started < 2


def test_redis_stopping_mid_poll_makes_the_store_unavailable():
    with run_redis(fail=pytest.fail) as server:
        store = RedisRooms(server.url, timeout_s=0.3)
        opened = store.open_room("t")
        store.pose(opened.code, opened.token, BYTE)
        server.stop()
        with pytest.raises(RoomsUnavailable):
            store.answer(opened.code, "s", 1, "37", "byte")
        with pytest.raises(RoomsUnavailable):
            store.view(opened.code, "s")


def test_the_setting_chooses_the_backend(monkeypatch):
    previous = rooms.use_store(None)
    try:
        monkeypatch.setattr(rooms, "ROOMS_REDIS_URL", "")
        assert isinstance(rooms.store(), LocalRooms)
        rooms.use_store(None)
        monkeypatch.setattr(rooms, "ROOMS_REDIS_URL", "redis://127.0.0.1:1/0")
        assert isinstance(rooms.store(), RedisRooms)  # made without connecting
    finally:
        rooms.use_store(previous)
