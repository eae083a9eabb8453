# An R Plumber API. apictl stops Rscript with SIGINT so the exit hook runs.
library(plumber)

port <- as.integer(Sys.getenv("PORT", "8000"))


pr <- plumber::pr()
pr <- plumber::pr_get(pr, "/health", function() list(status = "ok"))
pr <- plumber::pr_get(pr, "/hello", function() list(hello = "from R", pid = Sys.getpid()))
pr <- plumber::pr_hook(pr, "exit", function() cat("plumber.R: exit hook ran\n"))
message("plumber.R listening on port ", port)
plumber::pr_run(pr, host = "127.0.0.1", port = port)
