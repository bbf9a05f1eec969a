"""The class poll's rooms: a question on the teacher's screen, one answer per student's session.

One interface (`RoomStore`), two backends chosen by one setting (server.settings
``CONVKIT_ROOMS_REDIS_URL``): unset, the rooms live in this process (`LocalRooms`, nothing to
install, one replica); set, in Redis (`RedisRooms`), which every replica behind the proxy sees.
`store()` gives the process's store; nothing connects at import.

What a room holds, and what it does not:

- a code of `CODE_LENGTH` characters from `CODE_ALPHABET` (31 characters with no 0/O, 1/I/L:
  31**8, about 8.5e11 codes, 39.6 bits). With at most `MAX_ROOMS` rooms open, one guess finds
  one with a chance of 2.4e-10; a session may try `JOINS_PER_MINUTE` unknown codes a minute,
  about 12,000 in a lesson's 2 hours (3e-6 at best);
- the digest of the teacher's token (``secrets.token_urlsafe(24)``); the token itself stays in
  the teacher's session, and only it can pose, reveal or read the tally before the reveal;
- the current question (its number, what the students see, and apart from it the true answer
  and the words for each labelled value), open or revealed;
- the answers to the current question, one per student: a digest of the room's code and the
  session's id (random, given by Streamlit) mapped to the answer. No names, no addresses,
  nothing personal; the answers of a question are dropped when the next is posed.

Bounds (each refusal is `RoomRefused` with a message for people): `MAX_ROOMS` per server,
`MAX_QUESTIONS` per room, `MAX_ANSWERS` per question, `MAX_QUESTION_BYTES` per question,
`ANSWERS_PER_SECOND` per session, `ROOMS_PER_HOUR` opened per session, `JOINS_PER_MINUTE`
unknown codes per session. A room nobody touched for `IDLE_S` seconds is gone (a Redis TTL;
in the process, a sweep). If Redis cannot be reached within `REDIS_TIMEOUT_S`, every call
raises `RoomsUnavailable`; pages say the poll is unavailable and the rest of the app works.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Literal

from .settings import ROOMS_REDIS_URL, whole_number

#: Characters of a room code: capitals and digits without the look-alikes 0/O, 1/I/L.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: Characters in a room code: 31**8 is about 8.5e11 codes (39.6 bits).
CODE_LENGTH = 8
#: Seconds a room lives untouched (CONVKIT_ROOMS_IDLE_S; default 2 hours).
IDLE_S = whole_number("CONVKIT_ROOMS_IDLE_S", 7200, 1, 86_400)
#: Rooms open at once on the server (all replicas of one Redis).
MAX_ROOMS = whole_number("CONVKIT_ROOMS_MAX", 200, 1, 100_000)
#: Questions one room may pose in its life.
MAX_QUESTIONS = 100
#: Answers one question takes (a class of 30 with room to spare).
MAX_ANSWERS = 400
#: Largest question (what the students see, JSON), in bytes.
MAX_QUESTION_BYTES = 150_000
#: Answers one session may send per second (a double tap passes, a script does not).
ANSWERS_PER_SECOND = 2
#: Rooms one session may open per hour.
ROOMS_PER_HOUR = 5
#: Unknown codes one session may try per minute (code guessing).
JOINS_PER_MINUTE = 10
#: Seconds a Redis call may take before the poll counts as unavailable.
REDIS_TIMEOUT_S = 0.5

Kind = Literal["byte", "choice"]
KINDS = ("byte", "choice")
#: Letters of a "which picture" question's choices.
CHOICES = ("A", "B", "C", "D")
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


class RoomsUnavailable(RuntimeError):
    """The room store cannot be reached (Redis down or too slow): the poll is unavailable."""


class RoomRefused(ValueError):
    """The store refused a request (unknown room, a bound reached, a rate limit, no token);
    the message is meant for people."""


@dataclass(frozen=True)
class Question:
    """A question posed to a room.

    Parameters
    ----------
    kind : {"byte", "choice"}
        "byte": the answer is an output byte 0..255; "choice": one of `choices` (letters).
    prompt : str
        The question in words.
    material : dict
        What the students see to work it out (JSON: number grids, pictures as data URLs).
    truth : str
        The right answer ("37", or "B"). Hidden from students until the reveal.
    labels : dict
        Words for answers worth naming (the right one, and each mistake's value or each
        picture's confusion). Hidden from students until the reveal.
    choices : tuple of str
        The letters a "choice" question offers; empty for "byte".
    """

    kind: Kind
    prompt: str
    material: dict = field(default_factory=dict)
    truth: str = ""
    labels: dict = field(default_factory=dict)
    choices: tuple[str, ...] = ()

    def public(self) -> Question:
        """The question as students see it before the reveal: no truth, no labels."""
        return Question(self.kind, self.prompt, self.material, "", {}, self.choices)

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Question:
        data = json.loads(text)
        return cls(data["kind"], data["prompt"], data["material"], data["truth"],
                   data["labels"], tuple(data["choices"]))


@dataclass(frozen=True)
class Opened:
    """A room just opened: its code, for everyone, and the token, for the teacher's session."""

    code: str
    token: str


@dataclass(frozen=True)
class RoomView:
    """A room as one caller may see it.

    `question` is the public question (no truth, no labels) and `tally` None, unless the
    caller holds the teacher's token or the question has been revealed. `mine` is the caller's
    own answer to the current question, if any; `answers` the number of answers (the teacher
    and, after the reveal, everyone).
    """

    code: str
    number: int
    question: Question | None
    revealed: bool
    mine: str | None
    tally: dict[str, int] | None
    answers: int | None


@dataclass(frozen=True)
class StoreSize:
    """What a store holds: rooms, answers, and the bytes of its questions and answers."""

    rooms: int
    answers: int
    bytes: int


def check_code(code: str) -> str:
    """`code` upper-cased and without spaces or dashes; RoomRefused unless it is a room code.

    >>> check_code(" abcd-efgh ")
    'ABCDEFGH'
    """
    cleaned = re.sub(r"[\s-]", "", str(code))[:40].upper()
    if not _CODE.fullmatch(cleaned):
        raise RoomRefused(f"A room code is {CODE_LENGTH} letters and digits, like "
                          f"{'K7PM-3QXD'}; got {str(code)[:20]!r}.")
    return cleaned


def check_answer(kind: str, value: str) -> str:
    """`value` as stored for a question of `kind`; RoomRefused unless it can answer one.

    >>> check_answer("byte", " 037"), check_answer("choice", "b")
    ('37', 'B')
    """
    text = str(value).strip()[:8]
    if kind == "byte" and text.isdigit() and 0 <= int(text) <= 255:
        return str(int(text))
    if kind == "choice" and text.upper() in CHOICES:
        return text.upper()
    wanted = "a whole number from 0 to 255" if kind == "byte" else "one of A, B, C, D"
    raise RoomRefused(f"An answer to this question is {wanted}; got {text!r}.")


def check_question(question: Question) -> str:
    """The question as JSON; RoomRefused if it is malformed or larger than the bound."""
    if question.kind not in KINDS:
        raise RoomRefused(f"A question's kind is one of {KINDS}; got {question.kind!r}.")
    if question.kind == "choice" and not (
            2 <= len(question.choices) <= len(CHOICES)
            and set(question.choices) <= set(CHOICES) and question.truth in question.choices):
        raise RoomRefused("A 'which picture' question offers 2 to 4 letters among A-D, the "
                          "right one among them.")
    check_answer(question.kind, question.truth)
    text = question.to_json()
    if len(text.encode()) > MAX_QUESTION_BYTES:
        raise RoomRefused(f"This question is too large to share ({len(text.encode()):,} bytes; "
                          f"at most {MAX_QUESTION_BYTES:,}): pick a smaller kernel or image.")
    return text


def voter_id(code: str, session: str) -> str:
    """The anonymous id of a session's answers in one room: a digest, not the session id."""
    return hashlib.blake2b(f"{code}:{session}".encode(), digest_size=12).hexdigest()


def _token_digest(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """A code as read aloud or typed: two groups of four.

    >>> format_code("K7PM3QXD")
    'K7PM-3QXD'
    """
    return f"{code[:4]}-{code[4:]}"


_UNKNOWN = "No room has the code {code}: check it with your teacher (codes expire after " \
           "2 hours without use)."
_NOT_TEACHER = "Only the session that opened this room can pose, reveal or see the answers."
_TOO_MANY_JOINS = ("Too many unknown room codes from this session: wait a minute and try "
                   "again.")
_TOO_FAST = "Answers are coming too fast from this session: wait a second."
_TOO_MANY_ROOMS = (f"This session has opened {ROOMS_PER_HOUR} rooms in the last hour: use one "
                   "of them, or wait.")
_SERVER_FULL = "The server has as many open rooms as it takes: try again later."
_QUESTIONS_DONE = (f"This room has posed its {MAX_QUESTIONS} questions: open a new room.")
_FULL_QUESTION = f"This question has taken its {MAX_ANSWERS} answers."
_ALREADY = "You have answered this question already (one answer per question)."
_NOT_CURRENT = "The teacher has moved on to another question: answer the new one."
_REVEALED = "This question has been revealed: answers are closed."
_NO_QUESTION = "The teacher has not posed a question yet."


class RoomStore:
    """The rooms, behind one interface. Arguments are checked here, stored by a backend.

    `session` arguments are Streamlit session ids (pages/ui/compat.py `session_id`): a rate
    limit and one answer per question apply to each.
    """

    def open_room(self, session: str) -> Opened:
        """Open a room for the teacher in `session`; RoomRefused at a bound."""
        token = secrets.token_urlsafe(24)
        for _ in range(8):  # a clash among 8.5e11 codes is all but impossible
            code = _new_code()
            if self._open(code, _token_digest(token), session):
                return Opened(code, token)
        raise RoomRefused(_SERVER_FULL)

    def pose(self, code: str, token: str, question: Question) -> int:
        """Pose `question` in room `code` (the teacher's `token`): the previous question's
        answers are dropped. Returns the question's number (1, 2, ...)."""
        return self._pose(check_code(code), _token_digest(token), check_question(question))

    def reveal(self, code: str, token: str) -> None:
        """Reveal the current question: the answer and the class's answers, to everyone."""
        self._reveal(check_code(code), _token_digest(token))

    def answer(self, code: str, session: str, number: int, value: str, kind: str) -> None:
        """Answer question `number` of room `code` with `value`, once per session.

        `kind` is the question's kind as the student saw it; a different kind is refused.
        """
        code = check_code(code)
        self._answer(code, session, voter_id(code, session), int(number),
                     check_answer(kind, value), kind)

    def view(self, code: str, session: str, token: str | None = None) -> RoomView:
        """Room `code` as the session sees it: everything with the teacher's `token`, else the
        public question and, only after the reveal, the truth and the class's answers."""
        code = check_code(code)
        return self._view(code, session, voter_id(code, session),
                          None if token is None else _token_digest(token))

    def join(self, code: str, session: str) -> str:
        """Check that room `code` exists (rate-limited per session); returns the clean code."""
        code = check_code(code)
        if not self._exists(code, session):
            raise RoomRefused(_UNKNOWN.format(code=format_code(code)))
        return code

    def size(self) -> StoreSize:
        """What the store holds now."""
        raise NotImplementedError

    # The backends' part.
    def _open(self, code: str, token: str, session: str) -> bool:
        raise NotImplementedError

    def _pose(self, code: str, token: str, question: str) -> int:
        raise NotImplementedError

    def _reveal(self, code: str, token: str) -> None:
        raise NotImplementedError

    def _answer(self, code: str, session: str, voter: str, number: int, value: str,
                kind: str) -> None:
        raise NotImplementedError

    def _view(self, code: str, session: str, voter: str, token: str | None) -> RoomView:
        raise NotImplementedError

    def _exists(self, code: str, session: str) -> bool:
        raise NotImplementedError


def _tally(answers: Mapping[str, str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in answers.values():
        counts[value] = counts.get(value, 0) + 1
    return counts


def _session_key(session: str) -> str:
    return hashlib.blake2b(str(session).encode(), digest_size=12).hexdigest()


@dataclass
class _Room:
    token: str
    touched: float
    number: int = 0
    question: str | None = None
    revealed: bool = False
    answers: dict[str, str] = field(default_factory=dict)


class LocalRooms(RoomStore):
    """The rooms in this process: a dict under a lock, swept of idle rooms as it is used.

    For one replica; behind several, each replica would have rooms of its own (use Redis).
    `idle_s` and `clock` are for tests.
    """

    def __init__(self, *, idle_s: float = IDLE_S, clock=time.monotonic):
        self._rooms: dict[str, _Room] = {}
        self._lock = threading.Lock()
        self._idle_s, self._clock = idle_s, clock
        # (what, session key, window's index, window's length) -> count: the rate limits'
        # windows, swept with the rooms.
        self._counts: dict[tuple[str, str, int, int], int] = {}
        self._swept = 0.0

    def _sweep(self, now: float) -> None:
        if now - self._swept < min(self._idle_s, 30):
            return
        self._swept = now
        for code in [c for c, room in self._rooms.items() if now - room.touched > self._idle_s]:
            del self._rooms[code]
        wall = time.time()
        self._counts = {k: n for k, n in self._counts.items() if (k[2] + 1) * k[3] > wall - 5}

    def _count(self, what: str, session: str, window_s: int, limit: int) -> bool:
        """Count one more `what` for `session` in the current window; False past `limit`."""
        key = (what, _session_key(session), int(time.time() // window_s), window_s)
        self._counts[key] = self._counts.get(key, 0) + 1
        return self._counts[key] <= limit

    def _room(self, code: str, now: float) -> _Room:
        room = self._rooms.get(code)
        if room is None or now - room.touched > self._idle_s:
            self._rooms.pop(code, None)
            raise RoomRefused(_UNKNOWN.format(code=format_code(code)))
        room.touched = now
        return room

    def _teacher(self, code: str, token: str, now: float) -> _Room:
        room = self._room(code, now)
        if not hmac.compare_digest(room.token, token):
            raise RoomRefused(_NOT_TEACHER)
        return room

    def _open(self, code: str, token: str, session: str) -> bool:
        with self._lock:
            now = self._clock()
            self._swept = 0.0  # a full sweep before counting the rooms
            self._sweep(now)
            if not self._count("open", session, 3600, ROOMS_PER_HOUR):
                raise RoomRefused(_TOO_MANY_ROOMS)
            if len(self._rooms) >= MAX_ROOMS:
                raise RoomRefused(_SERVER_FULL)
            if code in self._rooms:
                return False
            self._rooms[code] = _Room(token, now)
            return True

    def _pose(self, code: str, token: str, question: str) -> int:
        with self._lock:
            room = self._teacher(code, token, self._clock())
            if room.number >= MAX_QUESTIONS:
                raise RoomRefused(_QUESTIONS_DONE)
            room.number, room.question, room.revealed = room.number + 1, question, False
            room.answers = {}
            return room.number

    def _reveal(self, code: str, token: str) -> None:
        with self._lock:
            room = self._teacher(code, token, self._clock())
            if room.question is None:
                raise RoomRefused(_NO_QUESTION)
            room.revealed = True

    def _answer(self, code: str, session: str, voter: str, number: int, value: str,
                kind: str) -> None:
        with self._lock:
            if not self._count("answer", session, 1, ANSWERS_PER_SECOND):
                raise RoomRefused(_TOO_FAST)
            room = self._room(code, self._clock())
            if room.question is None:
                raise RoomRefused(_NO_QUESTION)
            if number != room.number or json.loads(room.question)["kind"] != kind:
                raise RoomRefused(_NOT_CURRENT)
            if room.revealed:
                raise RoomRefused(_REVEALED)
            if voter in room.answers:
                raise RoomRefused(_ALREADY)
            if len(room.answers) >= MAX_ANSWERS:
                raise RoomRefused(_FULL_QUESTION)
            room.answers[voter] = value

    def _view(self, code: str, session: str, voter: str, token: str | None) -> RoomView:
        with self._lock:
            now = self._clock()
            self._sweep(now)
            room = self._room(code, now)
            teacher = token is not None and hmac.compare_digest(room.token, token)
            return _make_view(code, room.number, room.question, room.revealed,
                              room.answers.get(voter), dict(room.answers), teacher)

    def _exists(self, code: str, session: str) -> bool:
        with self._lock:
            if code in self._rooms and self._clock() - self._rooms[code].touched <= self._idle_s:
                return True
            if not self._count("join", session, 60, JOINS_PER_MINUTE):
                raise RoomRefused(_TOO_MANY_JOINS)
            return False

    def size(self) -> StoreSize:
        with self._lock:
            rooms = list(self._rooms.values())
            answers = sum(len(r.answers) for r in rooms)
            nbytes = sum(len(r.question or "") + sum(len(k) + len(v) for k, v in
                                                     r.answers.items()) + len(r.token)
                         for r in rooms)
            return StoreSize(len(rooms), answers, nbytes)


def _make_view(code: str, number: int, question: str | None, revealed: bool, mine: str | None,
               answers: Mapping[str, str], teacher: bool) -> RoomView:
    """What a caller may see of a room: the hidden parts only for the teacher or after the
    reveal."""
    full = teacher or revealed
    posed = None if question is None else Question.from_json(question)
    if posed is not None and not full:
        posed = posed.public()
    return RoomView(code, number, posed, revealed, mine, _tally(answers) if full else None,
                    len(answers) if full else None)


# Redis: one hash per room (token, number, question, kind, revealed), one hash of the current
# question's answers, and a sorted set of the open rooms by expiry time (to count them). Each
# change is one Lua script, so a bound cannot be overrun by two replicas at once.
_PREFIX = "convkit:poll:"
_OPEN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local rate = redis.call('INCR', KEYS[3])
if rate == 1 then redis.call('EXPIRE', KEYS[3], 3600) end
if rate > tonumber(ARGV[6]) then return -2 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('HSET', KEYS[2], 'token', ARGV[4], 'number', 0, 'revealed', 0, 'kind', '')
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[1], ARGV[1] + ARGV[2], ARGV[5])
return 1
"""
_TOUCH = """
local function touch(room, answers, rooms, code, now, ttl)
  redis.call('EXPIRE', room, ttl)
  if redis.call('EXISTS', answers) == 1 then redis.call('EXPIRE', answers, ttl) end
  redis.call('ZADD', rooms, now + ttl, code)
end
"""
_POSE = _TOUCH + """
local token = redis.call('HGET', KEYS[1], 'token')
if not token then return -1 end
if token ~= ARGV[1] then return -2 end
local number = tonumber(redis.call('HGET', KEYS[1], 'number'))
if number >= tonumber(ARGV[3]) then return -3 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[1], 'number', number + 1, 'question', ARGV[2], 'revealed', 0,
           'kind', ARGV[7])
touch(KEYS[1], KEYS[2], KEYS[3], ARGV[6], tonumber(ARGV[5]), tonumber(ARGV[4]))
return number + 1
"""
_REVEAL = _TOUCH + """
local token = redis.call('HGET', KEYS[1], 'token')
if not token then return -1 end
if token ~= ARGV[1] then return -2 end
if redis.call('HGET', KEYS[1], 'number') == '0' then return -3 end
redis.call('HSET', KEYS[1], 'revealed', 1)
touch(KEYS[1], KEYS[2], KEYS[3], ARGV[4], tonumber(ARGV[3]), tonumber(ARGV[2]))
return 1
"""
_ANSWER = _TOUCH + """
local rate = redis.call('INCR', KEYS[4])
if rate == 1 then redis.call('EXPIRE', KEYS[4], 2) end
if rate > tonumber(ARGV[6]) then return -1 end
local room = redis.call('HMGET', KEYS[1], 'number', 'revealed', 'kind')
if not room[1] then return -2 end
if room[1] == '0' then return -3 end
if room[1] ~= ARGV[3] or room[3] ~= ARGV[9] then return -4 end
if room[2] == '1' then return -5 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return -6 end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[4]) then return -7 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
touch(KEYS[1], KEYS[2], KEYS[3], ARGV[8], tonumber(ARGV[7]), tonumber(ARGV[5]))
return 1
"""
_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 1 end
local tries = redis.call('INCR', KEYS[2])
if tries == 1 then redis.call('EXPIRE', KEYS[2], 60) end
if tries > tonumber(ARGV[1]) then return -1 end
return 0
"""


class RedisRooms(RoomStore):
    """The rooms in Redis at `url` (``redis://host:6379/0``), seen by every replica.

    The client connects on first use, with `timeout_s` to connect and per call and no retries:
    a Redis that is down costs a caller at most about that long, then `RoomsUnavailable`.
    `idle_s` is for tests (the rooms' TTL).
    """

    def __init__(self, url: str, *, idle_s: float = IDLE_S, timeout_s: float = REDIS_TIMEOUT_S):
        self._url, self._idle_s, self._timeout_s = url, int(max(1, idle_s)), timeout_s
        self._client = None
        self._scripts: dict[str, object] = {}
        self._lock = threading.Lock()

    def _redis(self):
        with self._lock:
            if self._client is None:
                import redis
                from redis.backoff import NoBackoff
                from redis.retry import Retry

                self._client = redis.Redis.from_url(
                    self._url, socket_timeout=self._timeout_s,
                    socket_connect_timeout=self._timeout_s, retry=Retry(NoBackoff(), 0),
                    retry_on_timeout=False, decode_responses=True, health_check_interval=30)
                self._scripts = {name: self._client.register_script(text) for name, text in
                                 (("open", _OPEN), ("pose", _POSE), ("reveal", _REVEAL),
                                  ("answer", _ANSWER), ("exists", _EXISTS))}
            return self._client

    def _call(self, name: str, keys: list[str], args: list) -> int:
        import redis

        try:
            self._redis()
            return int(self._scripts[name](keys=keys, args=args))
        except redis.RedisError as error:
            raise RoomsUnavailable(f"the room store did not answer: {type(error).__name__}") \
                from error

    @staticmethod
    def _keys(code: str) -> list[str]:
        return [f"{_PREFIX}room:{code}", f"{_PREFIX}answers:{code}", f"{_PREFIX}rooms"]

    def _open(self, code: str, token: str, session: str) -> bool:
        room, _, rooms = self._keys(code)
        rate = f"{_PREFIX}opened:{_session_key(session)}"
        done = self._call("open", [rooms, room, rate],
                          [time.time(), self._idle_s, MAX_ROOMS, token, code, ROOMS_PER_HOUR])
        if done == -2:
            raise RoomRefused(_TOO_MANY_ROOMS)
        if done == -1:
            raise RoomRefused(_SERVER_FULL)
        return done == 1

    def _pose(self, code: str, token: str, question: str) -> int:
        kind = json.loads(question)["kind"]
        done = self._call("pose", self._keys(code),
                          [token, question, MAX_QUESTIONS, self._idle_s, time.time(), code, kind])
        _refuse(done, {-1: _UNKNOWN.format(code=format_code(code)), -2: _NOT_TEACHER,
                       -3: _QUESTIONS_DONE})
        return done

    def _reveal(self, code: str, token: str) -> None:
        done = self._call("reveal", self._keys(code), [token, self._idle_s, time.time(), code])
        _refuse(done, {-1: _UNKNOWN.format(code=format_code(code)), -2: _NOT_TEACHER,
                       -3: _NO_QUESTION})

    def _answer(self, code: str, session: str, voter: str, number: int, value: str,
                kind: str) -> None:
        rate = f"{_PREFIX}rate:{_session_key(session)}:{int(time.time())}"
        done = self._call("answer", [*self._keys(code), rate],
                          [voter, value, number, MAX_ANSWERS, self._idle_s, ANSWERS_PER_SECOND,
                           time.time(), code, kind])
        _refuse(done, {-1: _TOO_FAST, -2: _UNKNOWN.format(code=format_code(code)),
                       -3: _NO_QUESTION, -4: _NOT_CURRENT, -5: _REVEALED, -6: _ALREADY,
                       -7: _FULL_QUESTION})

    def _view(self, code: str, session: str, voter: str, token: str | None) -> RoomView:
        import redis

        room_key, answers_key, rooms_key = self._keys(code)
        try:
            with self._redis().pipeline(transaction=False) as pipe:
                pipe.hgetall(room_key)
                pipe.hgetall(answers_key)
                pipe.expire(room_key, self._idle_s)
                pipe.expire(answers_key, self._idle_s)
                pipe.zadd(rooms_key, {code: time.time() + self._idle_s}, xx=True)
                room, answers, *_ = pipe.execute()
        except redis.RedisError as error:
            raise RoomsUnavailable(f"the room store did not answer: {type(error).__name__}") \
                from error
        if not room:
            raise RoomRefused(_UNKNOWN.format(code=format_code(code)))
        teacher = token is not None and hmac.compare_digest(room["token"], token)
        return _make_view(code, int(room["number"]), room.get("question"),
                          room["revealed"] == "1", answers.get(voter), answers, teacher)

    def _exists(self, code: str, session: str) -> bool:
        found = self._call("exists", [self._keys(code)[0],
                                      f"{_PREFIX}joins:{_session_key(session)}"],
                           [JOINS_PER_MINUTE])
        if found == -1:
            raise RoomRefused(_TOO_MANY_JOINS)
        return found == 1

    def size(self) -> StoreSize:
        import redis

        try:
            client = self._redis()
            rooms = answers = nbytes = 0
            for key in client.scan_iter(f"{_PREFIX}*", count=500):
                nbytes += int(client.memory_usage(key) or 0)
                if key.startswith(f"{_PREFIX}room:"):
                    rooms += 1
                elif key.startswith(f"{_PREFIX}answers:"):
                    answers += int(client.hlen(key))
            return StoreSize(rooms, answers, nbytes)
        except redis.RedisError as error:
            raise RoomsUnavailable(f"the room store did not answer: {type(error).__name__}") \
                from error


def _refuse(done: int, messages: dict[int, str]) -> None:
    if done in messages:
        raise RoomRefused(messages[done])


_store: RoomStore | None = None
_store_lock = threading.Lock()


def store() -> RoomStore:
    """The process's room store: Redis when CONVKIT_ROOMS_REDIS_URL is set, else in-process.

    Made on first use; no connection is opened until a room is used.
    """
    global _store
    with _store_lock:
        if _store is None:
            _store = RedisRooms(ROOMS_REDIS_URL) if ROOMS_REDIS_URL else LocalRooms()
        return _store


def use_store(new: RoomStore | None) -> RoomStore | None:
    """Replace the process's store (None: chosen again from the settings on next use);
    returns the previous one. For tests and benchmarks."""
    global _store
    with _store_lock:
        previous, _store = _store, new
        return previous
