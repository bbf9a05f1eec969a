"""The class poll under a class: thirty students answer within 5 s while twenty other
visitors click pixels, then the reveal; and what a hostile visitor can make the poll hold.

    python -m bench.poll
    python -m bench.poll --students 30 --bystanders 20 --window 5

One server (a replica) with its rooms in a real redis-server on loopback (the several-replica
set-up; the in-process store runs the same bounds). A teacher (a WebSocket client) opens a
room and poses the pixel's byte, refreshing its live table every 2 s as the page asks. Each
student opens the join link, then answers at a random moment within `--window` seconds and
looks at the room every 5 s (the page's own refresh); the teacher reveals once all have
answered, and every student's page follows. Meanwhile each bystander on the pixel inspector
moves the picked pixel every 0.5 s. Printed: the bystanders' click p50/p95/max, the students'
answer p50/p95/max, errors, and whether the teacher's table counted every answer.

Then the hostile part, measured on the store (Redis INFO and the store's own count) and the
server's resident memory: through the page, one session fires 10,000 "Send my answer" and
another 1,000 "Open a room" (closing each), without waiting; past the page, as if from 1,000
and 10,000 sessions, 1,000 rooms opened and 10,000 answers sent to one question straight to
the store. The figures go to bench/results/poll-<time>.json and poll-latest.json. Loopback
only; counts are capped.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import statistics
import sys
import threading
import time

import harness
from bench import common
from bench.classroom import BYSTANDER, StartLine, _visitor
from harness import poll
from harness.process import tree_rss_kib

RUN_TIMEOUT_S = 120.0
MAX_STUDENTS = 60
MAX_BYSTANDERS = 40
#: How often the pages refresh by themselves (pages/views/class_poll: teacher 2 s, student 5 s).
TEACHER_EVERY_S = 2.0
STUDENT_EVERY_S = 5.0
HOSTILE_ANSWERS = 10_000
HOSTILE_ROOMS = 1_000


def spread(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    return {"n": len(values), "p50": round(statistics.median(ordered), 3),
            "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 3),
            "max": round(ordered[-1], 3)}


async def _student(url: str, code: str, index: int, value: int, answer_in_s: float,
                   go: StartLine, stop_at: list[float], figures: dict) -> None:
    where = f"student {index}"
    try:
        async with harness.open_session(url, poll.PAGE, f"room={code}",
                                        timeout_s=RUN_TIMEOUT_S) as session:
            field = await poll.join(session, RUN_TIMEOUT_S)
            (watch,) = session.auto_reruns
            await go.wait()
            began, answered = time.monotonic(), False
            next_look = began + random.uniform(0, STUDENT_EVERY_S)
            while time.monotonic() < stop_at[0]:
                answer_at = began + answer_in_s
                if not answered and answer_at <= next_look:
                    await asyncio.sleep(max(0.0, answer_at - time.monotonic()))
                    sent = time.monotonic()
                    await poll.send(session, field, value, RUN_TIMEOUT_S)
                    figures["answer_s"].append(time.monotonic() - sent)
                    if f"Answer received: {value}." not in poll.everything(session):
                        figures["errors"].append(f"{where}: no 'answer received'")
                    figures["answered"] += 1
                    answered = True
                    continue
                await asyncio.sleep(max(0.0, next_look - time.monotonic()))
                looked = time.monotonic()
                await session.run_fragment(watch, RUN_TIMEOUT_S)
                figures["look_s"].append(time.monotonic() - looked)
                if "The right answer:" in poll.everything(session):
                    figures["saw_reveal"] += 1
                    break
                next_look = looked + STUDENT_EVERY_S
            figures["errors"].extend(f"{where}: {p}" for p in session.problems)
    except Exception as error:
        figures["errors"].append(f"{where}: {error!r:.200}")


async def _teacher(url: str, students: int, go: StartLine, stop_at: list[float],
                   figures: dict, ready: asyncio.Future) -> None:
    try:
        async with harness.open_session(url, poll.PAGE, "image=camera",
                                        timeout_s=RUN_TIMEOUT_S) as session:
            await session.run(None, RUN_TIMEOUT_S)
            code = await poll.open_room(session, RUN_TIMEOUT_S)
            await poll.pose(session, RUN_TIMEOUT_S)
            (live,) = session.auto_reruns
            ready.set_result(code)
            await go.wait()
            shown = 0
            while time.monotonic() < stop_at[0]:
                await asyncio.sleep(TEACHER_EVERY_S)
                await session.run_fragment(live, RUN_TIMEOUT_S)
                shown = poll.answers_shown(session) or 0
                if shown >= students and not figures["revealed"]:
                    await poll.reveal(session, RUN_TIMEOUT_S)
                    figures["revealed"] = time.monotonic()
            figures["teacher_counted"] = shown
    except Exception as error:
        figures["errors"].append(f"teacher: {error!r:.200}")
        if not ready.done():
            ready.set_exception(error)


async def run_lesson(url: str, *, students: int, bystanders: int, window_s: float) -> dict:
    """The lesson: returns its figures."""
    figures = {"answer_s": [], "look_s": [], "bystander_s": [], "errors": [], "answered": 0,
               "saw_reveal": 0, "revealed": None, "teacher_counted": None}
    go, stop_at = StartLine(), [float("inf")]
    ready = asyncio.get_running_loop().create_future()
    teacher = asyncio.create_task(_teacher(url, students, go, stop_at, figures, ready))
    code = await ready
    values = [random.choice([0, 12, 37, 37, 40, 128, 200, 255]) for _ in range(students)]
    tasks = [asyncio.create_task(_student(url, code, i, values[i],
                                          random.uniform(0, window_s), go, stop_at, figures))
             for i in range(students)]
    tasks += [asyncio.create_task(_visitor(url, BYSTANDER, i, figures["bystander_s"],
                                           figures["errors"], 0.5, go, stop_at,
                                           f"bystander {i}")) for i in range(bystanders)]
    await go.start(students + bystanders + 1, longest_s=RUN_TIMEOUT_S)
    began = time.monotonic()
    # Long enough for every answer, the reveal and every student's next look.
    stop_at[0] = began + window_s + 2 * TEACHER_EVERY_S + STUDENT_EVERY_S + 2
    await asyncio.gather(teacher, *tasks)
    return {"room": code, "students": students, "bystanders": bystanders, "window_s": window_s,
            "bystander_click_s": spread(figures["bystander_s"]),
            "answer_s": spread(figures["answer_s"]), "look_s": spread(figures["look_s"]),
            "answered": figures["answered"], "teacher_counted": figures["teacher_counted"],
            "saw_reveal": figures["saw_reveal"], "errors": len(figures["errors"]),
            "first_errors": figures["errors"][:5]}


def _redis_figures(redis_url: str) -> dict:
    import redis

    from server.rooms import RedisRooms

    client = redis.Redis.from_url(redis_url)
    size = RedisRooms(redis_url).size()
    return {"used_memory_mb": round(client.info("memory")["used_memory"] / 2**20, 2),
            "rooms": size.rooms, "answers": size.answers,
            "store_mb": round(size.bytes / 2**20, 3)}


async def hostile_page(url: str, code: str) -> dict:
    """Through the page: 10,000 answers from one session, 1,000 rooms from another."""
    async with harness.open_session(url, poll.PAGE, f"room={code}",
                                    timeout_s=RUN_TIMEOUT_S) as session:
        await session.run(None, RUN_TIMEOUT_S)  # after the reveal: no answer field is left
    # A new question, so the hostile has one to answer.
    async with harness.open_session(url, poll.PAGE, "", timeout_s=RUN_TIMEOUT_S) as teacher:
        await teacher.run(None, RUN_TIMEOUT_S)
        code = await poll.open_room(teacher, RUN_TIMEOUT_S)
        await poll.pose(teacher, RUN_TIMEOUT_S)
        (live,) = teacher.auto_reruns
        began = time.monotonic()
        async with harness.open_session(url, poll.PAGE, f"room={code}",
                                        timeout_s=RUN_TIMEOUT_S) as hostile:
            field = await poll.join(hostile, RUN_TIMEOUT_S)
            for i in range(HOSTILE_ANSWERS):
                await hostile.send(("poll_send", "trigger_value", True),
                                   also=((field, "double_value", float(i % 256)),))
            await hostile.drain(3.0, 120.0)
        answers_s = time.monotonic() - began
        await teacher.run_fragment(live, RUN_TIMEOUT_S)
        kept = poll.answers_shown(teacher)
    began = time.monotonic()
    async with harness.open_session(url, poll.PAGE, "", timeout_s=RUN_TIMEOUT_S) as opener:
        await opener.run(None, RUN_TIMEOUT_S)
        await poll.open_room(opener, RUN_TIMEOUT_S)
        await opener.run(("poll_close", "trigger_value", True), RUN_TIMEOUT_S)
        opened = 1
        for _ in range(HOSTILE_ROOMS - 1):
            await opener.run(("poll_open", "trigger_value", True), RUN_TIMEOUT_S)
            if "poll_close" not in opener.widgets or not any(
                    t.startswith("Room ") for t in opener.texts):
                continue
            opened += 1
            await opener.run(("poll_close", "trigger_value", True), RUN_TIMEOUT_S)
        refusal = next((a for a in opener.alerts if "rooms" in a), "")
    return {"answers_sent": HOSTILE_ANSWERS, "answers_kept": kept,
            "answers_seconds": round(answers_s, 1), "room_clicks": HOSTILE_ROOMS,
            "rooms_opened": opened, "rooms_seconds": round(time.monotonic() - began, 1),
            "last_refusal": refusal}


def hostile_store(redis_url: str) -> dict:
    """Past the page, as if from many sessions: 1,000 rooms and 10,000 answers to one
    question, straight to the store (the bounds are the store's, whoever calls it)."""
    from server.rooms import Question, RedisRooms, RoomRefused

    store = RedisRooms(redis_url)
    opened, refused = [], 0
    for i in range(HOSTILE_ROOMS):
        try:
            opened.append(store.open_room(f"hostile-{i}"))
        except RoomRefused:
            refused += 1
    kept = 0
    if opened:
        room = opened[0]
        store.pose(room.code, room.token, Question("byte", "?", {}, "1"))
        for i in range(HOSTILE_ANSWERS):
            with contextlib.suppress(RoomRefused):
                store.answer(room.code, f"voter-{i}", 1, str(i % 256), "byte")
        kept = store.view(room.code, "t", room.token).answers
    return {"rooms_tried": HOSTILE_ROOMS, "rooms_opened": len(opened), "rooms_refused": refused,
            "answers_tried": HOSTILE_ANSWERS, "answers_kept": kept}


def text(result: dict) -> str:
    lesson, b, a = result["lesson"], result["lesson"]["bystander_click_s"], \
        result["lesson"]["answer_s"]
    lines = [
        f"poll: {lesson['students']} students answering within {lesson['window_s']:g} s, "
        f"{lesson['bystanders']} bystanders clicking pixels every 0.5 s",
        f"  bystander click  p50 {b.get('p50')} s  p95 {b.get('p95')} s  max {b.get('max')} s"
        f"  ({b['n']} clicks)",
        f"  answer           p50 {a.get('p50')} s  p95 {a.get('p95')} s  max {a.get('max')} s"
        f"  ({lesson['answered']} answered; the teacher's table counted "
        f"{lesson['teacher_counted']}; {lesson['saw_reveal']} saw the reveal)",
        f"  errors {lesson['errors']}" + "".join(f"\n    {e}" for e in lesson["first_errors"]),
    ]
    if "memory" not in result:
        return "\n".join(lines)
    page, store, memory = result["hostile_page"], result["hostile_store"], result["memory"]
    return "\n".join([*lines,
        f"hostile, through the page: {page['answers_sent']:,} answers from one session -> "
        f"{page['answers_kept']} answers kept on the question ({page['answers_seconds']} s); "
        f"{page['room_clicks']:,} 'open a room' -> {page['rooms_opened']} opened "
        f"({page['rooms_seconds']} s)",
        f"hostile, past the page: {store['rooms_tried']:,} rooms -> {store['rooms_opened']} "
        f"opened; {store['answers_tried']:,} answers to one question -> "
        f"{store['answers_kept']} kept",
        f"  Redis used_memory {memory['redis_before']['used_memory_mb']} MB before, "
        f"{memory['redis_after']['used_memory_mb']} MB after; the store holds "
        f"{memory['redis_after']['rooms']} rooms, {memory['redis_after']['answers']} answers, "
        f"{memory['redis_after']['store_mb']} MB",
        f"  server RSS {memory['rss_before_mb']} MB before the hostile part, "
        f"{memory['rss_after_mb']} MB after",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.poll",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--bystanders", type=int, default=20)
    parser.add_argument("--window", type=float, default=5.0, metavar="S",
                        help="seconds within which every student answers (default 5)")
    parser.add_argument("--lesson-only", action="store_true",
                        help="skip the hostile part (a quicker run)")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS:
        parser.error(f"--students must be 1..{MAX_STUDENTS}")
    if not 0 <= args.bystanders <= MAX_BYSTANDERS:
        parser.error(f"--bystanders must be 0..{MAX_BYSTANDERS}")
    if not 0.5 <= args.window <= 60:
        parser.error("--window must be 0.5..60 seconds")
    with contextlib.ExitStack() as stack:
        redis_server = stack.enter_context(harness.run_redis())
        server = stack.enter_context(harness.run_streamlit(
            "app.py", log_name="poll", log_dir=common.RESULTS_DIR,
            env={"CONVKIT_ROOMS_REDIS_URL": redis_server.url}))
        lesson = asyncio.run(run_lesson(server.url, students=args.students,
                                        bystanders=args.bystanders, window_s=args.window))
        result = {"lesson": lesson, "machine": common.machine()}
        if not args.lesson_only:
            redis_before = _redis_figures(redis_server.url)
            rss_before = round(tree_rss_kib(server.proc.pid) / 1024)
            result["hostile_page"] = asyncio.run(hostile_page(server.url, lesson["room"]))
            result["hostile_store"] = hostile_store(redis_server.url)
            result["memory"] = {
                "redis_before": redis_before, "redis_after": _redis_figures(redis_server.url),
                "rss_before_mb": rss_before,
                "rss_after_mb": round(tree_rss_kib(server.proc.pid) / 1024)}
    print(text(result))
    print(f"figures: {common.save(result, 'poll')}")
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return 1 if lesson["errors"] else 0


if __name__ == "__main__":
    threading.current_thread().name = "bench.poll"
    sys.exit(main())
