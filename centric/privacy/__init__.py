"""privacy domain: data export, erasure and unsubscribe for customers and respondents."""
