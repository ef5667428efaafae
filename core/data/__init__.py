"""Reading a user's table (fenced), checking it and the data set the app keeps: load → validate → DataSet and its report."""
