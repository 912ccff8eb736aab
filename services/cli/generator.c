/* generator: being written */
