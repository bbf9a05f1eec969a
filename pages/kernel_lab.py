"""Placeholder: being written."""

import streamlit as st

st.title("kernel_lab")
st.info("This page is being built.")
