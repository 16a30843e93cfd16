"""What app.py builds the UI from: inert HTML for answers and passages (`format`), corpus actions (`corpus`)."""
