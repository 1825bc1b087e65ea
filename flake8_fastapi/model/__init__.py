"""The semantic model: facts of one module (`facts`) and the project index across modules (`project`)."""
