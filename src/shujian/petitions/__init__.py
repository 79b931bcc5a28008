"""12309 信访: petitions received by letter, visit, telephone or online, their routing, the two
replies of 群众信访件件有回复 with their deadlines, 检察长接待日, 领导包案, feedback and the
figures (docs/petitions.md)."""
