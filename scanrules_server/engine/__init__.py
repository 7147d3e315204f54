"""The scan engine: compile rule sets into one matcher, evaluate columns, decide findings."""
