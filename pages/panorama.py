import streamlit as st

st.title("panorama")
st.info("This page is being built.")
