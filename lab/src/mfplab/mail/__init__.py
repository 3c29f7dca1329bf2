"""The lab's mail servers: SMTP submission (STARTTLS and implicit TLS) and POP3, Exchange Online's way."""
