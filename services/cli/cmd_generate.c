/* cmd_generate: being written */
