"""Challenges: build the kernel that turns the input into the target."""

import streamlit as st

import convkit
from pages import ui
from pages.views import challenges as views

st.title("Challenges", anchor=False)
st.markdown(
    "Each challenge shows a picture and what a hidden kernel made of it. Build a kernel that "
    "makes the same picture: type its weights into the table, and the page compares your "
    "output with the target, pixel by pixel. Several kernels can make the same picture; any "
    "of them passes. Stuck? Four hints tell you more and more about the hidden kernel (its "
    "size, its symmetry, its sum, the sign of each weight), and after them the solution."
)
st.caption("The sidebar's image, kernel, border and mapping do not apply here: each challenge "
           "has its own picture and states its border and mapping.")

current = ui.settings()
challenge = views.current_challenge()
picker = st.container()
ui.write_url(current)  # the link follows the challenge picked in this run
views.task(challenge)
source = convkit.lessons.challenge_input(challenge)
target = convkit.lessons.challenge_target(challenge)
views.pictures(challenge, source, target)

st.header("Your kernel", anchor=False)
weights = views.kernel_editor()
attempt = convkit.lessons.score_attempt(challenge, weights)
views.result(challenge, attempt, weights.shape)

with picker:
    views.pick_challenge()

st.header("Hints", anchor=False)
views.hints_and_solution(challenge)

st.header("Send it", anchor=False)
views.send_link(challenge)
ui.show_code(convkit.lessons.score_attempt, convkit.lessons.hints)
