import streamlit as st

st.title("keypoints")
st.info("This page is being built.")
