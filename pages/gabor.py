import streamlit as st

st.title("gabor")
st.info("This page is being built.")
