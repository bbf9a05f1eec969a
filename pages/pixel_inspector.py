"""Placeholder: being written."""

import streamlit as st

st.title("pixel_inspector")
st.info("This page is being built.")
