import streamlit as st

st.title("trainable_segmentation")
st.info("This page is being built.")
