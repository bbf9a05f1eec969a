"""The class poll page: a teacher and students in separate sessions sharing one room store."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.ndimage as ndi
from apptest_helpers import APP, assert_healthy, open_page
from skimage import data
from streamlit.testing.v1 import AppTest

from harness import run_redis
from pages.views.class_poll.guard import UNAVAILABLE
from server import rooms

KERNEL = "emboss"


@pytest.fixture
def local_store():
    """A fresh in-process store shared by every session of the test (as on one server)."""
    previous = rooms.use_store(rooms.LocalRooms())
    yield rooms.store()
    rooms.use_store(previous)


def session(params: dict[str, str] | None = None, page: str = "class_poll") -> AppTest:
    """A visitor's session on the camera sample with the emboss kernel, arriving on `page` (as
    a link to it opens it)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"image": "camera", "kernel": KERNEL, **(params or {})})
    at.switch_page(f"pages/{page}.py").run()
    assert_healthy(at)
    return at


def everything_sent(at: AppTest) -> str:
    """Every element the session's page holds, as the protobuf the browser would receive."""
    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def table(at: AppTest) -> dict[str, tuple[int, str]]:
    """The answers table: answer -> (students, what gives it)."""
    (body,) = [h.proto.body for h in at.get("html") if "ck-poll" in h.proto.body]
    rows = re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>'
                      r'<td class="share">.*?</td><td>([^<]*)</td>', body)
    return {value: (int(count), means) for value, count, means in rows}


def byte_and_flipped_byte() -> tuple[int, int, int, int]:
    """A pixel (x, y) whose byte (emboss correlated, replicate border, clip mapping) differs
    from the byte of the kernel flipped, both computed with scipy.ndimage: (x, y, right,
    flipped)."""
    weights = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float)
    image = data.camera().astype(float)
    right = np.clip(np.rint(ndi.correlate(image, weights, mode="nearest")), 0, 255)
    flipped = np.clip(np.rint(ndi.convolve(image, weights, mode="nearest")), 0, 255)
    ys, xs = np.nonzero((np.abs(right - flipped) > 3) & (right > 0) & (right < 255)
                        & (flipped > 0) & (flipped < 255))
    x, y = int(xs[0]), int(ys[0])
    return x, y, int(right[y, x]), int(flipped[y, x])


def open_room_and_pose(teacher: AppTest, x: int, y: int) -> str:
    teacher.button(key="poll_open").click().run()
    assert_healthy(teacher)
    teacher.number_input(key="poll_x").set_value(x)
    teacher.number_input(key="poll_y").set_value(y)
    teacher.button(key="poll_pose").click().run()
    assert_healthy(teacher)
    (code,) = re.findall(r"Room (\w{4}-\w{4})", " ".join(s.value for s in teacher.subheader))
    return code


def test_a_lesson_teacher_poses_students_answer_then_the_reveal(local_store):
    """Two students answer (one by the code, one by the link); the teacher's table counts them
    with the flip mistake named; a student's page holds nothing of the others' answers before
    the reveal; after it both see the right byte and the class's answers."""
    x, y, right, flipped = byte_and_flipped_byte()
    teacher = session()
    code = open_room_and_pose(teacher, x, y)
    assert f"Question 1: Which output byte does pixel x={x}, y={y} give?" in [
        s.value for s in teacher.subheader]

    wrong = session()
    wrong.text_input(key="poll_code").input(code.lower())
    wrong.button(key="poll_join").click().run()
    assert_healthy(wrong)
    linked = session({"room": code.replace("-", "")})
    assert not [w.value for w in linked.warning]  # the link joins, no "ignored setting"
    for student, answer in ((wrong, flipped), (linked, right)):
        student.number_input(key="poll_byte_1").set_value(answer)
        student.button(key="poll_send").click().run()
        assert_healthy(student)
        assert any(i.value.startswith(f"Answer received: {answer}.") for i in student.info)

    teacher.run()
    counts = table(teacher)
    assert counts[str(right)] == (1, "right")
    assert counts[str(flipped)][0] == 1 and "convol" in counts[str(flipped)][1].lower()

    # Nothing of the class's answers, the right byte or the mistakes' words reached a student.
    sent = everything_sent(wrong)
    assert "ck-poll" not in sent and "right answer" not in sent.lower()
    assert counts[str(flipped)][1] not in sent
    assert not [b for b in wrong.button if b.key in ("poll_pose", "poll_reveal")]

    teacher.button(key="poll_reveal").click().run()
    assert_healthy(teacher)
    wrong.run()
    assert f"The right answer: {right}." in [s.value for s in wrong.success]
    assert any(f"Your answer, {flipped}:" in m.value and "convol" in m.value.lower()
               for m in wrong.markdown)
    assert table(wrong) == counts
    linked.run()
    assert f"Your answer, {right}, is right." in [m.value for m in linked.markdown]


def test_one_answer_and_the_teachers_controls_stay_with_the_teacher(local_store):
    teacher = session()
    code = open_room_and_pose(teacher, 10, 0)
    student = session({"room": code})
    student.number_input(key="poll_byte_1").set_value(7)
    student.button(key="poll_send").click().run()
    assert "poll_byte_1" not in [n.key for n in student.number_input]  # answered: no form
    # The teacher's token is in the teacher's session only: the store refuses anyone else.
    with pytest.raises(rooms.RoomRefused, match="Only the session that opened"):
        local_store.reveal(code, "not-the-token")
    assert teacher.session_state["poll_teacher"]["token"] not in everything_sent(student)
    assert "poll_teacher" not in student.session_state


def test_a_wrong_code_is_said_in_words(local_store):
    student = session()
    student.text_input(key="poll_code").input("K7PM-3QXD")
    student.button(key="poll_join").click().run()
    assert_healthy(student)
    assert any("No room has the code K7PM-3QXD" in w.value for w in student.warning)
    student.text_input(key="poll_code").input("<script>")
    student.button(key="poll_join").click().run()
    assert any("A room code is 8 letters" in w.value for w in student.warning)
    assert not student.error


def test_redis_stopping_mid_poll_gives_the_message_and_the_inspector_works():
    with run_redis(fail=pytest.fail) as server:
        previous = rooms.use_store(rooms.RedisRooms(server.url, timeout_s=0.3))
        try:
            teacher = session()
            code = open_room_and_pose(teacher, 5, 5)
            student = session({"room": code})
            assert "poll_byte_1" in [n.key for n in student.number_input]
            server.stop()
            student.number_input(key="poll_byte_1").set_value(9)
            student.button(key="poll_send").click().run()
            assert_healthy(student)
            assert UNAVAILABLE in [w.value for w in student.warning]
            teacher.run()
            assert_healthy(teacher)
            assert UNAVAILABLE in [w.value for w in teacher.warning]
            open_page(student, "pixel_inspector")
            assert any(h.value.startswith("Output pixel") for h in student.header)
        finally:
            rooms.use_store(previous)


def pictures(at: AppTest) -> dict[str, np.ndarray]:
    """The question's pictures as the page sent them, decoded: "input", "A", "B" ..."""
    import base64

    import cv2

    (body,) = [h.proto.body for h in at.get("html") if "<img" in h.proto.body]
    found = re.findall(r'<img src="data:image/\w+;base64,([^"]+)" alt="([^"]+)"', body)
    decoded = {}
    for encoded, alt in found:
        name = "input" if alt.startswith("The input") else alt.split()[1].rstrip(":")
        decoded[name] = cv2.imdecode(np.frombuffer(base64.b64decode(encoded), np.uint8),
                                     cv2.IMREAD_GRAYSCALE).astype(float)
    return decoded


def test_which_picture_the_right_letter_is_the_kernels_output(local_store):
    """A "which picture" question: the student's page holds four pictures and no answer; after
    the reveal the right letter's picture is the one scipy's correlation gives (the others
    differ visibly, as the confusions they are)."""
    import convkit

    teacher = session({"kernel": "sobel_x"})
    teacher.button(key="poll_open").click().run()
    teacher.radio(key="poll_kind").set_value("choice").run()
    teacher.button(key="poll_pose").click().run()
    assert_healthy(teacher)
    (code,) = re.findall(r"Room (\w{4}-\w{4})", " ".join(s.value for s in teacher.subheader))
    student = session({"room": code})
    shown = pictures(student)
    letters = student.radio(key="poll_choice_1").options
    assert set(shown) == {"input", *letters} and 3 <= len(letters) <= 4
    before = everything_sent(student)
    assert "ck-poll" not in before and "right answer" not in before.lower()
    student.radio(key="poll_choice_1").set_value(letters[0])
    student.button(key="poll_send").click().run()
    assert any(i.value.startswith(f"Answer received: {letters[0]}.") for i in student.info)
    teacher.button(key="poll_reveal").click().run()
    student.run()
    (truth,) = re.findall(r"The right answer: ([A-D])\.", " ".join(s.value for s in
                                                                    student.success))
    small = convkit.fit_to_pixels(data.camera(), 160).astype(float)
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
    expected = np.clip(np.rint(ndi.correlate(small, sobel_x, mode="nearest")), 0, 255)
    visibly = {letter: float(np.mean(np.abs(shown[letter] - expected) > 16))
               for letter in letters}
    assert visibly[truth] < 0.01 and all(v >= 0.01 for k, v in visibly.items() if k != truth), \
        visibly
    assert table(teacher)[letters[0]][0] == 1
