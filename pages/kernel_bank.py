"""Placeholder: being written."""

import streamlit as st

st.title("kernel_bank")
st.info("This page is being built.")
