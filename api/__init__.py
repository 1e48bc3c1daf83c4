"""Ciklas: the continuous improvement and learning system of social-service institutions."""
