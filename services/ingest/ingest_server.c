/* ingest_server: being written */
