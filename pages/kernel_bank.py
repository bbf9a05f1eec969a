"""Placeholder: being written."""

import streamlit as st

from pages import ui

current = ui.settings()
st.title("kernel_bank")
st.info("This page is being built.")
