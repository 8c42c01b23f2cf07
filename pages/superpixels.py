import streamlit as st

st.title("superpixels")
st.info("This page is being built.")
