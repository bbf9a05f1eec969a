"""Placeholder: being written."""

import streamlit as st

st.title("padding_modes")
st.info("This page is being built.")
