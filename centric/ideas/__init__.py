"""The ideas portal: customers propose, vote and discuss; staff answer, merge and ship; voters hear back."""
