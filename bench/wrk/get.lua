-- A single URL (the one on the command line): used for the /healthz baseline.
dofile("bench/wrk/report.lua")
