"""Tests of SMS Bridge."""
