import streamlit as st

st.title("colour_clustering")
st.info("This page is being built.")
