"""Find files, run the codemods over them (in parallel, cached), measure and diff the results."""
