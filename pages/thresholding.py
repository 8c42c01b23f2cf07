import streamlit as st

st.title("thresholding")
st.info("This page is being built.")
