module schedcast.test/traceprogs

go 1.19
