"""The sans-I/O core shared by every client: policies (:mod:`.policy`), building a
request (:mod:`.request`), reading a response (:mod:`.response`), the retry/deadline
decisions (:mod:`.attempts`) and what a call logs (:mod:`.trace`). Nothing here opens
a socket or sleeps."""
