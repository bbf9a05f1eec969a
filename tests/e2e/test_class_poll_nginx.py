"""The class poll across replicas: a teacher's room on one replica, thirty students through
nginx on two replicas that share one real Redis, then Redis stopped mid-poll.

The teacher is a real Chromium page; the students are Streamlit WebSocket clients
(harness/poll.py), as cheap as the bench's, each with its own route cookie, so nginx spreads
them over both replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import subprocess
import sys
from collections import Counter

from e2e_helpers import VIEWPORT, run_async, run_nginx, run_streamlit, wait_for_app_idle
from playwright.sync_api import Browser, expect

import harness
from harness import poll
from pages.views.class_poll.guard import UNAVAILABLE

STUDENTS = 30


def answers_table(page) -> Counter:
    """The teacher's table as shown: answer -> students."""
    rows = page.locator("table.ck-poll tbody tr")
    return Counter({rows.nth(i).locator("th").inner_text().strip():
                    int(rows.nth(i).locator("td.num").inner_text())
                    for i in range(rows.count())})


def test_thirty_students_through_nginx_on_two_replicas_sharing_redis(browser: Browser) -> None:
    cookie_secret = secrets.token_hex(16)
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(harness.run_redis())
        env = {"STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret,
               "CONVKIT_ROOMS_REDIS_URL": redis.url}
        replicas = [stack.enter_context(run_streamlit(
            "app.py", log_name=f"streamlit-poll-replica-{i}", env=env)) for i in (1, 2)]
        proxy, access_log = stack.enter_context(run_nginx([r.port for r in replicas]))
        # As Kubernetes does before a replica gets visitors: its readiness probe, which has a
        # fresh replica run the app's script once (server/readiness.py).
        for replica in replicas:
            done = subprocess.run([sys.executable, "-m", "server.readiness", "--port",
                                   str(replica.port)], capture_output=True, text=True,
                                  timeout=60)
            assert done.returncode == 0, done.stdout

        context = browser.new_context(viewport=VIEWPORT)
        stack.callback(context.close)
        teacher = context.new_page()
        teacher.goto(f"{proxy}/class_poll?image=camera&res=256")
        wait_for_app_idle(teacher)
        teacher.get_by_role("button", name="Open a room (teacher)").click()
        heading = teacher.get_by_role("heading", name=re.compile(r"^Room \w{4}-\w{4}$"))
        expect(heading).to_be_visible()
        code = heading.inner_text().removeprefix("Room ").strip()
        teacher.get_by_role("button", name="Pose the question").click()
        expect(teacher.get_by_text("Question 1: Which output byte")).to_be_visible()

        sent = [(7 * i) % 5 * 50 + i % 2 for i in range(STUDENTS)]  # repeats, and odd ones
        cookies = [harness.route_cookie(proxy) for _ in range(STUDENTS)]

        async def class_answers():
            return await asyncio.gather(*(poll.answer(proxy, code, value, cookie=cookie)
                                          for value, cookie in zip(sent, cookies, strict=True)))

        pages = run_async(class_answers())
        for value, text in zip(sent, pages, strict=True):
            assert f"Answer received: {value}." in text, text[-400:]
            # Nothing of the class's answers, nor the right byte, reached a student.
            assert "ck-poll" not in text and "right answer" not in text.lower()
        routes = {c.split("=", 1)[1] for c in cookies}
        log = access_log.read_text()
        served = {upstream for upstream, route in re.findall(
            r'upstream=(\S+) route="([^"]*)"', log) if route in routes}
        assert served == {f"127.0.0.1:{r.port}" for r in replicas}, served

        # The teacher's live table (refreshed every 2 s) counts exactly what was sent.
        expect(teacher.get_by_text(f"Answers to question 1: {STUDENTS} answers")).to_be_visible(
            timeout=20_000)
        assert answers_table(teacher) == Counter(str(v) for v in sent)

        # Redis goes away: the poll says so at its next refresh; the inspector works on.
        redis.stop()
        expect(teacher.get_by_text(UNAVAILABLE)).to_be_visible(timeout=15_000)
        teacher.get_by_role("link", name="Pixel inspector").click()
        wait_for_app_idle(teacher)
        expect(teacher.get_by_role("heading", name=re.compile(r"^Output pixel x="))).to_be_visible()
