import streamlit as st

st.title("objects")
st.info("This page is being built.")
