print("offline bench project")
