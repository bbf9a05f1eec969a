"""Placeholder: being written."""

import streamlit as st

st.title("deep_learning")
st.info("This page is being built.")
